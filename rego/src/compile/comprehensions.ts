import type { TermOf } from "../ast/nodes.ts";
import type { TermFn } from "../eval/types.ts";
import { RObject, RSet, equal, type Value } from "../value.ts";
import { RegoError } from "../errors.ts";
import type { CompileCtx } from "./context.ts";
import { compileBody } from "./exprs.ts";
import { Scope } from "./scope.ts";
import { compileTerm } from "./terms.ts";

/** Array, set and object comprehensions: collect the head over every body solution. */
export function compileComprehension(
  cx: CompileCtx,
  t: TermOf<"arraycompr"> | TermOf<"setcompr"> | TermOf<"objectcompr">,
  outer: Scope,
): TermFn {
  const scope = new Scope(outer, outer.slots, outer.mod);
  const body = compileBody(cx, t.body, scope, [
    t.type === "objectcompr" ? t.key : t.term,
    ...(t.type === "objectcompr" ? [t.value] : []),
  ]);
  if (t.type === "arraycompr") {
    const head = compileTerm(cx, t.term, scope);
    return (q, env, k) => {
      const out: Value[] = [];
      body(q, env, () =>
        head(q, env, (v) => {
          out.push(v);
          return false;
        }),
      );
      return k(out);
    };
  }
  if (t.type === "setcompr") {
    const head = compileTerm(cx, t.term, scope);
    return (q, env, k) => {
      const out = new RSet();
      body(q, env, () =>
        head(q, env, (v) => {
          out.add(v);
          return false;
        }),
      );
      return k(out);
    };
  }
  const key = compileTerm(cx, t.key, scope);
  const value = compileTerm(cx, t.value, scope);
  return (q, env, k) => {
    const out = new RObject();
    body(q, env, () =>
      key(q, env, (kv) =>
        value(q, env, (vv) => {
          const prev = out.get(kv);
          if (prev !== undefined && !equal(prev, vv)) {
            throw new RegoError("eval_conflict_error", "object keys must be unique", t.loc);
          }
          out.set(kv, vv);
          return false;
        }),
      ),
    );
    return k(out);
  };
}
