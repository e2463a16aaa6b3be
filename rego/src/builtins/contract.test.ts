/**
 * Every general builtin, called with operands of every type (and a few odd
 * values), either returns a value or `undefined`, or throws one of the
 * engine's typed errors — never a JavaScript TypeError or RangeError.
 */
import { describe, expect, it } from "vitest";
import { BuiltinError, OperandTypeError, RegoError } from "../errors.ts";
import { RObject, RSet, type Value } from "../value.ts";
import { builtins } from "./index.ts";
import { context } from "./test-helpers.ts";

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
  "10.0.0.0/24",
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

const OTHER_TEAMS = /^(crypto|io\.jwt|graphql|providers\.aws)\./;

/** A well-formed Rego value: finite numbers, no JS undefined inside. */
function isValue(v: unknown): boolean {
  if (v === null || typeof v === "boolean" || typeof v === "string" || typeof v === "bigint")
    return true;
  if (typeof v === "number") return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(isValue);
  if (v instanceof RSet) return [...v].every(isValue);
  if (v instanceof RObject) return [...v.entries()].every(([k, x]) => isValue(k) && isValue(x));
  return false;
}

function argLists(arity: number): Value[][] {
  if (arity === 0) return [[]];
  const out: Value[][] = [];
  for (const first of SAMPLES) {
    // The other operands cycle through the samples with offsets so that every type meets every type.
    for (let k = 0; k < SAMPLES.length; k += 3) {
      out.push([
        first,
        ...Array.from({ length: arity - 1 }, (_, j) => SAMPLES[(k + j * 5) % SAMPLES.length]!),
      ]);
    }
  }
  return out;
}

describe("builtin contract", () => {
  const general = [...builtins.values()].filter((b) => !OTHER_TEAMS.test(b.name));
  it.each(general.map((b) => [b.name, b] as const))("%s never crashes", (_name, b) => {
    for (const args of argLists(b.args.length)) {
      try {
        const out = b.relation ? [...b.relation(args, context())] : b.fn(args, context());
        if (out !== undefined && !isValue(out)) {
          throw new Error(
            `${b.name}(${args.map(String).join(", ")}) returned a non-value: ${String(out)}`,
          );
        }
      } catch (e) {
        const typed =
          e instanceof OperandTypeError || e instanceof BuiltinError || e instanceof RegoError;
        if (!typed) throw new Error(`${b.name}(${args.map(String).join(", ")}) crashed: ${e}`);
      }
    }
  });
});

describe("deprecated builtins", () => {
  it("are flagged for the v1 compile check", () => {
    const flagged = [...builtins.values()].filter((b) => b.deprecated).map((b) => b.name);
    expect(flagged.sort()).toEqual([
      "all",
      "any",
      "cast_array",
      "cast_boolean",
      "cast_null",
      "cast_object",
      "cast_set",
      "cast_string",
      "net.cidr_overlap",
      "re_match",
      "set_diff",
    ]);
  });
});
