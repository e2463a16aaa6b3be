import type { Body } from "../ast/nodes.ts";
import type { Env, ExprFn, Query } from "../eval/types.ts";
import type { Value } from "../value.ts";
import type { CompiledPolicy } from "./compiler.ts";
import { compileBody } from "./exprs.ts";
import { Scope, SlotCounter } from "./scope.ts";

/** A compiled ad-hoc query: its body and the user-visible variables it binds. */
export interface CompiledQuery {
  readonly body: ExprFn;
  readonly nslots: number;
  readonly vars: readonly (readonly [string, number])[];
}

export function compileQueryBody(policy: CompiledPolicy, body: Body): CompiledQuery {
  const slots = new SlotCounter();
  const scope = new Scope(undefined, slots, undefined);
  const fn = compileBody(policy.cx, body, scope, []);
  const vars = [...scope.vars.entries()].filter(([name]) => !name.startsWith("__tpl"));
  return { body: fn, nslots: slots.n, vars };
}

/** Runs a compiled query, calling `row` with each solution's bindings. */
export function runQuery(
  q: Query,
  cq: CompiledQuery,
  row: (bindings: Record<string, Value>) => boolean | undefined,
): void {
  const env: Env = new Array(cq.nslots);
  cq.body(q, env, () => {
    const out: Record<string, Value> = {};
    for (const [name, slot] of cq.vars) {
      const v = env[slot];
      if (v !== undefined) out[name] = v;
    }
    return row(out) === true;
  });
}
