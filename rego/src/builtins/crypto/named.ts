/**
 * Gives a table's errors the `name: ` prefix the evaluator expects (see
 * `../index.ts`): the crypto code throws plain messages, and any other
 * exception from a parser or a library becomes a builtin error.
 */
import { BuiltinError, OperandTypeError } from "../../errors.ts";
import type { BuiltinDef, BuiltinTable } from "../types.ts";

function prefixed(name: string, e: unknown): Error {
  const msg = e instanceof Error ? e.message : String(e);
  const text = msg.startsWith(`${name}: `) ? msg : `${name}: ${msg}`;
  return e instanceof OperandTypeError ? new OperandTypeError(text) : new BuiltinError(text);
}

export function named(defs: readonly BuiltinDef[]): BuiltinTable {
  return defs.map((d) => {
    const fn = d.fn;
    const wrapped: BuiltinDef = {
      ...d,
      fn: (args, ctx) => {
        try {
          return fn(args, ctx);
        } catch (e) {
          throw prefixed(d.name, e);
        }
      },
    };
    return wrapped;
  });
}
