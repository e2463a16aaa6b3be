import { BuiltinError, OperandTypeError, RegoError } from "./errors.ts";
import { RObject, RSet, type Value } from "./value.ts";
import { builtins } from "./builtins/index.ts";
const SAMPLES: Value[] = [
  null,
  true,
  0,
  -1,
  2.5,
  1e300,
  2n ** 70n,
  "",
  "a/b.c",
  "10.0.0.0/8",
  "2020-01-02",
  "😀x",
  [],
  ["a", 1],
  [[1, 2], "x"],
  new RObject(),
  RObject.fromRecord({ a: 1, b: "x", c: ["y"] }),
  new RSet(),
  new RSet(["a", 1, [1]]),
];
const ctx = {
  nowNs: 0n,
  strict: true,
  cache: new Map(),
  randomBytes: (n: number) => new Uint8Array(n),
};
const OTHER = /^(crypto|io\.jwt|graphql|providers\.aws)\./;
for (const b of builtins.values()) {
  if (OTHER.test(b.name)) continue;
  const arity = b.args.length;
  const t = performance.now();
  const lists: Value[][] = arity === 0 ? [[]] : [];
  for (const first of SAMPLES)
    for (let k = 0; k < SAMPLES.length; k += 3)
      lists.push([
        first,
        ...Array.from({ length: arity - 1 }, (_, j) => SAMPLES[(k + j * 5) % SAMPLES.length]!),
      ]);
  for (const args of lists) {
    const t0 = performance.now();
    try {
      b.relation ? [...b.relation(args, ctx)] : b.fn(args, ctx);
    } catch (e) {
      if (!(e instanceof OperandTypeError || e instanceof BuiltinError || e instanceof RegoError))
        console.log("CRASH", b.name, args.map(String), String(e).slice(0, 100));
    }
    if (performance.now() - t0 > 200) console.log("SLOW", b.name, args.map(String));
  }
  if (performance.now() - t > 1000) console.log("slow builtin", b.name);
}
console.log("done");
