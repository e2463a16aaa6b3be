/** Helpers for the builtin tests: call a builtin by name with a fresh context. */
import { fromJSON, type Value } from "../value.ts";
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

/** Calls builtin `name`; plain JSON arguments are converted to Rego values. */
export function call(name: string, ...args: unknown[]): Value | undefined {
  const b = getBuiltin(name);
  if (!b) throw new Error(`no builtin ${name}`);
  return b.fn(
    args.map((a) => (isValue(a) ? a : fromJSON(a))),
    context(),
  );
}

function isValue(a: unknown): a is Value {
  return (
    typeof a === "bigint" ||
    (typeof a === "object" &&
      a !== null &&
      !Array.isArray(a) &&
      !(Object.getPrototypeOf(a) === Object.prototype))
  );
}
