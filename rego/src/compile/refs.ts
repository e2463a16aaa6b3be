import type { TermOf } from "../ast/nodes.ts";
import { RegoError } from "../errors.ts";
import { Arg, argOf, argValue, CONSTANT, INPUT, inputOf, inputValue, SLOT } from "../eval/args.ts";
import { navData, nodeValue, ownValue } from "../eval/documents.ts";
import { getIn, recordReader } from "../eval/json-input.ts";
import { index, navigate, type Operand } from "../eval/operands.ts";
import {
  type Env,
  fromGetter,
  type Getter,
  holds,
  type InputMemo,
  type Query,
  type TermFn,
} from "../eval/types.ts";
import { canonical, internalize, RObject, type Value } from "../value.ts";
import type { CompileCtx } from "./context.ts";
import type { GlobalRef, Scope } from "./scope.ts";
import { compileOperand, compileTerm } from "./terms.ts";
import type { DocNode } from "./tree.ts";

/** A ref: `input...`/`data...` resolved against the rule tree, or a local value navigated. */
export function compileRef(cx: CompileCtx, t: TermOf<"ref">, scope: Scope): TermFn {
  const ops = t.path.map((p) => compileOperand(cx, p, scope));
  const head = t.head;
  if (head.type === "var" && head.name !== "_") {
    const slot = scope.lookup(head.name);
    if (slot === undefined) {
      const g = scope.global(head.name);
      if (g) return compileGlobalRef(cx, g, ops);
    }
  }
  const h = compileTerm(cx, head, scope);
  const hg = h.get;
  if (hg && ops.every((o) => o.kind === "const")) {
    const keys = ops.map((o) => (o as { key: Value }).key);
    return fromGetter((q, env) => getIn(hg(q, env), keys));
  }
  if (hg && ops.every(singleKey)) {
    // `obj[k]` with k bound: a lookup
    const keys = ops.map(keyGetter);
    return fromGetter((q, env) => {
      let v = hg(q, env);
      for (let i = 0; i < keys.length && v !== undefined; i++) {
        const key = keys[i]!(q, env);
        v = key === undefined ? undefined : index(v, key);
      }
      return v;
    });
  }
  return (q, env, k) => h(q, env, (v) => navigate(q, env, v, ops, 0, k));
}

/** Distinct input paths sharing a memo, at most (queries may come from requests). */
const INPUT_MEMOS = 1024;

/** A key a property read finds only as an own member of a plain object. */
const plainKey = (k: Value): boolean => typeof k === "string" && !(k in Object.prototype);

/** The memo cell of an input path: shared by every ref to it in the policy. */
export function inputMemo(cx: CompileCtx, path: readonly Value[]): InputMemo {
  const keys = path.map((k) => (typeof k === "string" ? internalize(k) : k));
  const id = canonical(keys);
  let memo = cx.inputMemos.get(id);
  if (!memo) {
    const read =
      keys.length > 0 && keys.every(plainKey)
        ? recordReader(keys as string[], cx.codegen)
        : undefined;
    memo = { keys, read, stamp: -1, value: undefined };
    if (cx.inputMemos.size < INPUT_MEMOS) cx.inputMemos.set(id, memo);
  }
  return memo;
}

/** A ref rooted at `input` or `data`, with static path segments resolved now. */
export function compileGlobalRef(cx: CompileCtx, g: GlobalRef, ops: readonly Operand[]): TermFn {
  const all: Operand[] = [...g.path.map((key) => ({ kind: "const", key }) as const), ...ops];
  if (g.root === "input") {
    if (all.every((o) => o.kind === "const")) {
      const keys = all.map((o) => (o as { key: Value }).key);
      // read once per query however many literals mention it (`input.kind` in every rule)
      const memo = inputMemo(cx, keys);
      const get: Getter = (q) => inputValue(q, memo);
      const fn = fromGetter(get);
      fn.inputMemo = memo;
      fn.arg = new Arg(INPUT, undefined, -1, memo, get);
      return fn;
    }
    return (q, env, k) => {
      q.track.impure = true;
      const input = inputOf(q);
      return input === undefined ? false : navigate(q, env, input, all, 0, k);
    };
  }
  // Walk the rule tree as far as constant segments go.
  let node: DocNode = cx.root;
  const path: Value[] = [];
  let i = 0;
  let leftTree = false;
  for (; i < all.length; i++) {
    const op = all[i]!;
    if (op.kind !== "const" || node.hasOwnValue) break;
    const c = node.child(op.key);
    if (!c) {
      leftTree = true; // only base data below here
      break;
    }
    node = c;
    path.push(op.key);
  }
  const rest = all.slice(i);
  const start = node;
  if (!leftTree) addDeps(cx, start, rest, 0);
  const fn: TermFn = (q, env, k) => {
    if (q.masked) return navData(q, env, cx.root, q.data, all, 0, k);
    let base: Value | undefined = q.data;
    for (let j = 0; j < path.length && base !== undefined; j++) {
      base = base instanceof RObject ? base.get(path[j]!) : undefined;
    }
    if (rest.length === 0) {
      const v = nodeValue(q, start, base);
      return v === undefined ? false : k(v);
    }
    return navData(q, env, start, base, rest, 0, k);
  };
  const plainRule = start.defines && !start.isFunction && start.children.size === 0;
  if (rest.length === 0 && plainRule) {
    // a rule's value (`data.pkg.rule`), nothing below it: straight to its memo
    fn.get = (q, env) => {
      if (q.hasData || q.masked) return first(fn, q, env);
      return ownValue(q, start);
    };
    fn.truthy = (q, env) => holds(q.hasData || q.masked ? first(fn, q, env) : ownValue(q, start));
  } else if (rest.length === 0) {
    // a whole document (`data.pkg`): straight to its value
    fn.get = (q, env) => {
      if (q.hasData || q.masked) {
        let out: Value | undefined;
        fn(q, env, (v) => {
          out = v;
          return true;
        });
        return out;
      }
      return nodeValue(q, start, undefined);
    };
  } else if (start.hasOwnValue && rest.every(singleKey)) {
    // a rule's value indexed by single-valued keys (`allowed[input.app]`): lookups
    const keys = rest.map(keyArg);
    const docValue = (q: Query): Value | undefined =>
      plainRule ? ownValue(q, start) : nodeValue(q, start, undefined);
    if (keys.length === 1) {
      const [k0] = keys as [Arg];
      fn.get = (q, env) =>
        q.hasData || q.masked ? first(fn, q, env) : lookup(docValue(q), q, env, k0);
      fn.truthy = (q, env) =>
        holds(q.hasData || q.masked ? first(fn, q, env) : lookup(docValue(q), q, env, k0));
    } else {
      const lookups = (q: Query, env: Env): Value | undefined => {
        let v = docValue(q);
        for (let i = 0; i < keys.length && v !== undefined; i++) v = lookup(v, q, env, keys[i]!);
        return v;
      };
      fn.get = (q, env) => (q.hasData || q.masked ? first(fn, q, env) : lookups(q, env));
      fn.truthy = (q, env) => holds(q.hasData || q.masked ? first(fn, q, env) : lookups(q, env));
    }
  } else if (rest.every((o) => o.kind === "const")) {
    // single-valued: expose a getter (one capture instead of a continuation chain)
    fn.get = (q, env) => {
      let out: Value | undefined;
      fn(q, env, (v) => {
        out = v;
        return true;
      });
      return out;
    };
  }
  return fn;
}

/** The first value of a term (undefined: none). */
function first(fn: TermFn, q: Query, env: Env): Value | undefined {
  let out: Value | undefined;
  fn(q, env, (v) => {
    out = v;
    return true;
  });
  return out;
}

/**
 * An operand with exactly one key: a constant, a var the compiler knows is
 * bound there, or a single-valued term that binds nothing.
 */
function singleKey(o: Operand): boolean {
  return (
    o.kind === "const" ||
    (o.kind === "var" && o.bound) ||
    (o.kind === "term" && !o.wild && o.slots.length === 0 && o.fn.get !== undefined)
  );
}

/** `v[key]` for a key operand (undefined: no value, or no key). */
function lookup(v: Value | undefined, q: Query, env: Env, key: Arg): Value | undefined {
  if (v === undefined) return undefined;
  const k = argValue(q, env, key);
  return k === undefined ? undefined : index(v, k);
}

/** A `singleKey` operand as an `Arg`. */
function keyArg(o: Operand): Arg {
  if (o.kind === "term") return argOf(o.fn)!;
  if (o.kind === "const") return new Arg(CONSTANT, o.key, -1, undefined, () => o.key);
  return new Arg(SLOT, undefined, o.slot, undefined, keyGetter(o));
}

function keyGetter(o: Operand): Getter {
  if (o.kind === "const") {
    const key = o.key;
    return () => key;
  }
  if (o.kind === "var") {
    const slot = o.slot;
    return (_q, env) => {
      const key = env[slot];
      if (key === undefined) {
        throw new RegoError("eval_internal_error", "a var known to be bound is unbound");
      }
      return key;
    };
  }
  return o.fn.get!;
}

/** Records the documents a data ref may read: those matching its remaining segments. */
function addDeps(cx: CompileCtx, node: DocNode, ops: readonly Operand[], i: number): void {
  if (i === ops.length) {
    cx.deps.add(node, true);
    return;
  }
  if (node.hasOwnValue || node.isFunction) cx.deps.add(node, false);
  const op = ops[i]!;
  if (op.kind === "const") {
    const c = node.child(op.key);
    if (c) addDeps(cx, c, ops, i + 1);
    return;
  }
  for (const c of node.children.values()) addDeps(cx, c, ops, i + 1);
}
