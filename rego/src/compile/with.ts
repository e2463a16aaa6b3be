import type { Expr, Term } from "../ast/nodes.ts";
import { RegoError } from "../errors.ts";
import { inputOf } from "../eval/args.ts";
import { callFunction } from "../eval/functions.ts";
import { type ExprFn, type FnOverride, newStamp, type Query, type TermFn } from "../eval/types.ts";
import { RObject, type Value } from "../value.ts";
import { resolveCallee } from "./calls.ts";
import type { CompileCtx } from "./context.ts";
import type { Scope } from "./scope.ts";
import { compileTerm } from "./terms.ts";
import type { DocNode } from "./tree.ts";

type Mod =
  | { kind: "input" | "data"; path: Value[]; value: TermFn; masked: DocNode | undefined }
  | { kind: "fn"; key: string; value: TermFn | undefined; replacement: FnOverride | undefined };

/** Static path of a `with` target (`input.a.b`, `data.x`), relative to its root. */
function targetPath(
  cx: CompileCtx,
  t: Term,
  scope: Scope,
): { root: "input" | "data"; path: Value[] } | undefined {
  const head = t.type === "ref" ? t.head : t;
  if (head.type !== "var") return undefined;
  // A with target is never a local: `input`/`data` name the documents even
  // where a local of that name shadows them (OPA rewrites only the value).
  const root = head.name === "input" || head.name === "data";
  if (!root && scope.lookup(head.name) !== undefined) return undefined;
  const g = scope.global(head.name);
  if (!g) return undefined;
  if (g.root === "data" && head.name !== "data" && t.type !== "ref") {
    // a bare rule name (`with p as 1`) targets that rule, unless it is a function
    if (resolveCallee(cx, t, scope)) return undefined;
  }
  const path = [...g.path];
  if (t.type === "ref") {
    for (const p of t.path) {
      if (p.type !== "scalar") return undefined;
      path.push(p.value);
    }
  }
  // a function (`with data.p.f as g`) is mocked, not overwritten as data
  if (g.root === "data" && nodeAt(cx.root, path)?.isFunction) return undefined;
  return { root: g.root, path };
}

function nodeAt(root: DocNode, path: readonly Value[]): DocNode | undefined {
  let n: DocNode | undefined = root;
  for (const k of path) {
    if (!n) return undefined;
    n = n.child(k);
  }
  return n;
}

/** Returns `root` with `path` set to `value`, copying objects on the way. */
export function setPath(
  root: Value | undefined,
  path: readonly Value[],
  value: Value,
  i = 0,
): Value {
  if (i === path.length) return value;
  const obj = root instanceof RObject ? new RObject(root.entries()) : new RObject();
  obj.set(path[i]!, setPath(obj.get(path[i]!), path, value, i + 1));
  return obj;
}

/** `expr with target as value ...`: runs the literal against a modified query. */
export function compileWith(cx: CompileCtx, e: Expr, scope: Scope, inner: ExprFn): ExprFn {
  const mods: Mod[] = e.with.map((w) => {
    const tp = targetPath(cx, w.target, scope);
    if (tp) {
      const masked = tp.root === "data" ? nodeAt(cx.root, tp.path) : undefined;
      return { kind: tp.root, path: tp.path, value: compileTerm(cx, w.value, scope), masked };
    }
    const callee = resolveCallee(cx, w.target, scope);
    if (!callee) {
      throw new RegoError(
        "rego_compile_error",
        "with keyword target must reference existing input, data, or a function",
        w.target.loc,
      );
    }
    const repl = resolveCallee(cx, w.value, scope);
    if (repl) {
      const call: FnOverride =
        repl.kind === "function"
          ? { kind: "fn", call: (q, args, k) => callFunction(q, repl.node, args, k) }
          : { kind: "fn", call: repl.call };
      return { kind: "fn", key: callee.key, value: undefined, replacement: call };
    }
    return {
      kind: "fn",
      key: callee.key,
      value: compileTerm(cx, w.value, scope),
      replacement: undefined,
    };
  });
  return (q, env, k) => {
    let input = inputOf(q);
    let data = q.data;
    let masked: Set<DocNode> | undefined;
    let fns: Map<string, FnOverride> | undefined;
    for (const m of mods) {
      let v: Value | undefined;
      if (m.kind !== "fn" || m.value) {
        m.value!(q, env, (x) => {
          v = x;
          return true;
        });
        if (v === undefined) return false;
      }
      if (m.kind === "input") input = setPath(input, m.path, v!);
      else if (m.kind === "data") {
        data = setPath(data, m.path, v!);
        masked ??= new Set(q.masked);
        if (m.masked) masked.add(m.masked);
      } else if (m.kind === "fn") {
        fns ??= new Map(q.fnOverrides);
        fns.set(m.key, m.replacement ?? { kind: "value", value: v! });
      }
    }
    const child: Query = {
      ...q,
      input,
      inputJSON: undefined,
      inputRecord: undefined,
      data,
      stamp: newStamp(),
      consts: false,
      masked: masked ?? q.masked,
      fnOverrides: fns ?? q.fnOverrides,
    };
    return inner(child, env, k);
  };
}
