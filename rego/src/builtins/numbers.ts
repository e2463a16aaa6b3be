/** Number builtins: abs, round, ceil, floor, numbers.range(_step), rand.intn. */
import type { Value } from "../value.ts";
import * as N from "./numeric.ts";
import type { BuiltinContext, BuiltinTable } from "./types.ts";
import { ANY, cached, def, fail, int, NUM, num, STR, str } from "./util.ts";

const unary = (name: string, op: (a: N.Num) => N.Num) =>
  def(name, [NUM], NUM, (args) => op(num(name, args, 0)));

/** Inclusive range from `a` to `b` (descending when b < a). */
/** Ranges longer than this would exhaust a Worker's memory; OPA has no such limit. */
const MAX_RANGE = 10_000_000n;

function range(name: string, a: N.Num, b: N.Num, step: bigint): Value[] {
  const from = N.toBigInt(a);
  const to = N.toBigInt(b);
  const span = from <= to ? to - from : from - to;
  if (span / step > MAX_RANGE) fail(name, "range too large");
  const out: Value[] = [];
  if (from <= to) for (let i = from; i <= to; i += step) out.push(N.norm(i));
  else for (let i = from; i >= to; i -= step) out.push(N.norm(i));
  return out;
}

function randIntn(args: readonly Value[], ctx: BuiltinContext): Value {
  const key = str("rand.intn", args, 0);
  const n = N.toBigInt(int("rand.intn", args, 1));
  if (n === 0n) return 0;
  const bound = n < 0n ? -n : n;
  // Memoised per (key, n) for the query, as OPA does.
  return cached(ctx, `rand.intn\u0000${key}\u0000${n}`, () => {
    const bytes = ctx.randomBytes(8);
    let r = 0n;
    for (const b of bytes) r = (r << 8n) | BigInt(b);
    return N.norm(r % bound);
  });
}

export const numberBuiltins: BuiltinTable = [
  unary("abs", N.abs),
  unary("round", N.round),
  unary("ceil", N.ceil),
  unary("floor", N.floor),
  def("numbers.range", [NUM, NUM], { array: NUM }, (args) =>
    range("numbers.range", int("numbers.range", args, 0), int("numbers.range", args, 1), 1n),
  ),
  def("numbers.range_step", [NUM, NUM, NUM], { array: NUM }, (args) => {
    const name = "numbers.range_step";
    const a = int(name, args, 0);
    const b = int(name, args, 1);
    const step = N.toBigInt(int(name, args, 2));
    if (step <= 0n) fail(name, "step must be a positive integer");
    return range(name, a, b, step);
  }),
  def("rand.intn", [STR, NUM], NUM, randIntn, { nondeterministic: true }),
  def("test.sleep", [STR], ANY, () => null, { nondeterministic: true }),
];
