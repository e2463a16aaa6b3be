import { type Arg, argValue } from "../eval/args.ts";
import { type Env, fromGetter, type Query, type TermFn } from "../eval/types.ts";
import { compare, type Value } from "../value.ts";

/** The ordering builtins (`<`, `>`, `<=`, `>=`) and what each asks of `compare`'s result. */
const ORDERINGS: Readonly<Record<string, number>> = { lt: 0, gt: 1, lte: 2, gte: 3 };

/** Whether `key` names an ordering builtin that `compileOrdering` compares in place. */
export function isOrdering(key: string): boolean {
  return Object.hasOwn(ORDERINGS, key);
}

/**
 * `a < b` (and `>`, `<=`, `>=`) on single-valued operands, compared in place:
 * no argument array, no builtin call, two numbers compared directly
 * (`count(v) > 0`, `input.port >= 1024`). Same results as the builtins,
 * which order any two values with `compare`; a mocked builtin (`with gt as
 * ...`) goes through `mocked`.
 */
export function compileOrdering(
  key: string,
  a0: Arg,
  a1: Arg,
  mocked: (q: Query, env: Env) => Value | undefined,
): TermFn {
  const op = ORDERINGS[key]!;
  const term = fromGetter((q, env) => {
    if (q.fnOverrides?.has(key)) return mocked(q, env);
    return ordered(q, env, a0, a1, op);
  });
  term.truthy = (q, env) => {
    if (q.fnOverrides?.has(key)) {
      const v = mocked(q, env);
      return v === undefined || v === false ? 0 : 1;
    }
    return ordered(q, env, a0, a1, op) === true ? 1 : 0;
  };
  return term;
}

/** The comparison's outcome (undefined: an operand has no value). */
function ordered(q: Query, env: Env, a0: Arg, a1: Arg, op: number): boolean | undefined {
  const a = argValue(q, env, a0);
  if (a === undefined) return undefined;
  const b = argValue(q, env, a1);
  if (b === undefined) return undefined;
  const c =
    typeof a === "number" && typeof b === "number" ? (a < b ? -1 : a > b ? 1 : 0) : compare(a, b);
  switch (op) {
    case 0:
      return c < 0;
    case 1:
      return c > 0;
    case 2:
      return c <= 0;
    default:
      return c >= 0;
  }
}
