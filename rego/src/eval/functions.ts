import type { CompiledRule, DocNode } from "../compile/tree.ts";
import { RegoError } from "../errors.ts";
import { equal, type Value } from "../value.ts";
import { evalComplete } from "./documents.ts";
import { type Env, newEnv, type PatternArgs, type Query, type VK } from "./types.ts";
import { unifyValue } from "./unify.ts";

const MAX_DEPTH = 2000;

/** Binds a function rule's parameters to the operands, then runs `k`. */
function bindParams(
  q: Query,
  env: Env,
  r: CompiledRule,
  args: PatternArgs,
  i: number,
  k: () => boolean,
): boolean {
  if (i === r.params.length) return k();
  return unifyValue(q, env, r.params[i]!, args[i]!, () => bindParams(q, env, r, args, i + 1, k));
}

/**
 * Calls a user function: every definition whose parameters match contributes
 * a value; they must agree (`eval_conflict_error` otherwise).
 */
export function callFunction(q: Query, node: DocNode, args: readonly Value[], k: VK): boolean {
  if (++q.depth > MAX_DEPTH) {
    q.depth = 0;
    throw new RegoError(
      "rego_recursion_error",
      `function ${node.path.join(".")} recurses too deeply`,
    );
  }
  let result: Value | undefined;
  try {
    for (const r of node.rules) {
      const env: Env = newEnv(r.nslots);
      bindParams(q, env, r, args, 0, () => {
        const v = evalComplete(q, r, env);
        if (v === undefined) return false;
        if (result !== undefined && !equal(result, v)) {
          throw new RegoError(
            "eval_conflict_error",
            "functions must not produce multiple outputs for same inputs",
            r.loc,
          );
        }
        result = v;
        return false;
      });
    }
    if (result === undefined && node.defaultRule) {
      const d = node.defaultRule;
      const env: Env = newEnv(d.nslots);
      bindParams(q, env, d, args, 0, () => {
        result = evalComplete(q, d, env);
        return true;
      });
    }
  } finally {
    q.depth--;
  }
  return result === undefined ? false : k(result);
}
