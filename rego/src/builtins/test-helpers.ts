/** Helpers for the builtin tests: call a builtin by name with a fresh context. */
import { RObject, type Value } from "../value.ts";
import { getBuiltin } from "./index.ts";
import type { BuiltinContext } from "./types.ts";

export function context(over: Partial<BuiltinContext> = {}): BuiltinContext {
  let seed = 1;
  return {
    nowNs: 1_700_000_000_000_000_000n,
    strict: true,
    cache: new Map(),
    randomBytes: (n) =>
      Uint8Array.from({ length: n }, () => {
        seed = (seed * 75 + 74) % 65537;
        return seed & 255;
      }),
    ...over,
  };
}

/** Calls builtin `name`; plain JSON parts of the arguments become Rego values. */
export function call(name: string, ...args: unknown[]): Value | undefined {
  const b = getBuiltin(name);
  if (!b) throw new Error(`no builtin ${name}`);
  return b.fn(args.map(toValue), context());
}

/** Plain arrays and records are converted; Rego values (RSet, RObject, bigint) pass through. */
function toValue(a: unknown): Value {
  if (Array.isArray(a)) return a.map(toValue);
  if (a !== null && typeof a === "object" && Object.getPrototypeOf(a) === Object.prototype) {
    return new RObject(Object.entries(a).map(([k, v]) => [k, toValue(v)] as const));
  }
  if (a === undefined) throw new Error("undefined argument");
  return a as Value;
}
