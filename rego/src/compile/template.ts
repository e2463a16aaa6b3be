import type { Expr, TermOf } from "../ast/nodes.ts";
import type { ExprFn, TermFn } from "../eval/types.ts";
import { displayString } from "../eval/format.ts";
import type { Value } from "../value.ts";
import type { CompileCtx } from "./context.ts";
import { compileBody } from "./exprs.ts";
import { Scope } from "./scope.ts";

/**
 * `$"...{expr}..."`: each embedded expression is evaluated on its own; an
 * undefined one prints `<undefined>`, several values are a conflict.
 */
export function compileTemplate(cx: CompileCtx, t: TermOf<"template">, outer: Scope): TermFn {
  const parts: (string | { body: ExprFn; value: TermFn })[] = t.parts.map((p) => {
    if (typeof p === "string") return p;
    const scope = new Scope(outer, outer.slots, outer.mod);
    const holder = `__tpl${scope.slots.n}`;
    const slot = scope.declare(holder);
    const expr = asAssignment(p, holder);
    const body = compileBody(cx, [expr], scope, []);
    const value: TermFn = (_q, env, k) => k(env[slot]!);
    return { body, value };
  });
  return (q, env, k) => {
    let out = "";
    for (const p of parts) {
      if (typeof p === "string") {
        out += p;
        continue;
      }
      let got: Value | undefined;
      p.body(q, env, () =>
        p.value(q, env, (v) => {
          got = v;
          return true;
        }),
      );
      out += displayString(got);
    }
    return k(out);
  };
}

/** Rewrites `expr` into `holder = expr` so its value can be read back. */
function asAssignment(e: Expr, holder: string): Expr {
  if (e.kind !== "term") return e;
  const v = { type: "var", name: holder, loc: e.loc } as const;
  return { kind: "unify", left: v, right: e.term, negated: e.negated, with: e.with, loc: e.loc };
}
