import type { Body, Expr, Term } from "../ast/nodes.ts";
import { RegoError } from "../errors.ts";
import type { Pat } from "../eval/operands.ts";
import { each } from "../eval/operands.ts";
import { type Env, type ExprFn, fromTest, type Getter, type Query } from "../eval/types.ts";
import { unifyPats, unifyValue } from "../eval/unify.ts";
import { equal, isObject, type RObject, type RSet, type Value } from "../value.ts";
import { calleeArity } from "./calls.ts";
import type { CompileCtx } from "./context.ts";
import { orderBody } from "./safety.ts";
import { declaredNames, forEachTermVar, Scope } from "./scope.ts";
import { compilePat, compileTerm } from "./terms.ts";
import { checkAssignments } from "./typecheck.ts";
import { compileWith } from "./with.ts";

/** Slots owned by enclosing scopes: bound by the time a nested body runs. */
function outerSlots(scope: Scope): Set<number> {
  const out = new Set<number>();
  for (let s = scope.parent; s; s = s.parent) for (const v of s.vars.values()) out.add(v);
  return out;
}

/**
 * Compiles a body: declares its vars, orders it for safety, checks that the
 * head terms' vars are bound by it, and chains the literals.
 */
export function compileBody(
  cx: CompileCtx,
  body: Body,
  scope: Scope,
  head: readonly Term[],
  bound: Set<number> = outerSlots(scope),
): ExprFn {
  checkAssignments(body);
  scope.prepare(body);
  const arity = (fn: Term, s: Scope) => calleeArity(cx, fn, s);
  const enter = hiding(body, scope);
  const ordered = orderBody(body, scope, bound, arity, enter);
  for (const t of head) {
    forEachTermVar(t, (name) => {
      const s = scope.lookup(name);
      if (s !== undefined && !ordered.bound.has(s)) {
        throw new RegoError("rego_unsafe_var_error", `var ${name} is unsafe`, t.loc);
      }
    });
  }
  const fns = ordered.body.map((e, i) => {
    enter(e);
    scope.bound = ordered.boundBefore[i];
    return compileExpr(cx, e, scope);
  });
  scope.hidden = undefined;
  // the head terms run after the whole body
  scope.bound = ordered.bound;
  return chain(fns);
}

/** Before each literal: hide from nested scopes the `:=` vars assigned after it. */
function hiding(body: Body, scope: Scope): (e: Expr) => void {
  const assigned = new Map<string, number>();
  body.forEach((e, i) => {
    if (e.kind === "assign")
      for (const n of declaredNames(e)) if (!assigned.has(n)) assigned.set(n, i);
  });
  if (assigned.size === 0) return () => {};
  const at = new Map(body.map((e, i) => [e, i]));
  return (e) => {
    const i = at.get(e) ?? 0;
    scope.hidden = new Set([...assigned].filter(([, j]) => j > i).map(([n]) => n));
  };
}

/**
 * Chains literals. Runs of single-solution literals execute as a loop of
 * tests (no continuation per literal); the rest nest continuations.
 */
function chain(fns: ExprFn[]): ExprFn {
  if (fns.length > 0 && fns.every((f) => f.det)) {
    const dets = fns.map((f) => f.det!);
    const body = fns.length === 1 ? fns[0]! : detRun(fns, undefined);
    const n = dets.length;
    if (n === 1) body.test = dets[0]!;
    else if (n === 2) {
      const [d0, d1] = dets as [NonNullable<ExprFn["det"]>, NonNullable<ExprFn["det"]>];
      body.test = (q, env) => d0(q, env) !== 0 && d1(q, env) !== 0;
    } else {
      body.test = (q, env) => {
        for (let i = 0; i < n; i++) if (dets[i]!(q, env) === 0) return false;
        return true;
      };
    }
    return body;
  }
  let f: ExprFn | undefined;
  let i = fns.length - 1;
  while (i >= 0) {
    if (fns[i]!.det) {
      let j = i;
      while (j > 0 && fns[j - 1]!.det && i - j < 30) j--;
      f = detRun(fns.slice(j, i + 1), f);
      i = j - 1;
      continue;
    }
    const a = fns[i]!;
    const b = f;
    if (b && a.loop) {
      // `some x in xs` then the rest: the loop runs the rest itself, no continuation per call
      f = someInVar(a.loop.domain, a.loop.slot, b);
    } else f = b ? (q, env, k) => a(q, env, () => b(q, env, k)) : a;
    i--;
  }
  if (f) return f;
  // an empty body holds once
  const empty: ExprFn = (_q, _env, k) => k();
  empty.test = () => true;
  return empty;
}

function detRun(run: ExprFn[], next: ExprFn | undefined): ExprFn {
  // one test and nothing after it: the literal's own function does just that
  if (run.length === 1 && !next) return run[0]!;
  const dets = run.map((r) => r.det!);
  const slots = run.map((r) => r.detSlot ?? -1);
  const n = dets.length;
  return (q, env, k) => {
    let bound = 0;
    let i = 0;
    for (; i < n; i++) {
      const r = dets[i]!(q, env);
      if (r === 0) break;
      if (r === 2) bound |= 1 << i;
    }
    let out = false;
    if (i === n) out = next ? next(q, env, k) : k();
    if (bound !== 0) for (let m = 0; m < n; m++) if (bound & (1 << m)) env[slots[m]!] = undefined;
    return out;
  };
}

function compileExpr(cx: CompileCtx, e: Expr, scope: Scope): ExprFn {
  let fn = compileKind(cx, e, scope);
  if (e.negated) {
    const inner = fn;
    const det = inner.det;
    // `not` binds nothing: always a single-solution test
    fn = det
      ? fromTest((q, env) => {
          const r = det(q, env);
          if (r === 2) env[inner.detSlot!] = undefined;
          return r === 0 ? 1 : 0;
        })
      : fromTest((q, env) => (inner(q, env, () => true) ? 0 : 1));
  }
  if (e.with.length > 0) fn = compileWith(cx, e, scope, fn);
  return fn;
}

function compileKind(cx: CompileCtx, e: Expr, scope: Scope): ExprFn {
  switch (e.kind) {
    case "term": {
      const t = compileTerm(cx, e.term, scope);
      if (t.truthy) return fromTest(t.truthy);
      const g = t.get;
      if (g) {
        return fromTest((q, env) => {
          const v = g(q, env);
          return v === undefined || v === false ? 0 : 1;
        });
      }
      return (q, env, k) => t(q, env, (v) => (v === false ? false : k()));
    }
    case "assign":
    case "unify": {
      if (e.kind === "assign") checkAssignable(e.left);
      const a = compilePat(cx, e.left, scope);
      const b = compilePat(cx, e.right, scope);
      const fast = bindFast(a, b) ?? bindFast(b, a);
      if (fast) return fast;
      return (q, env, k) => unifyPats(q, env, a, b, k);
    }
    case "some":
      return fromTest(() => 1);
    case "somein": {
      const domain = compileTerm(cx, e.domain, scope);
      const key = e.key ? compilePat(cx, e.key, scope) : undefined;
      const value = compilePat(cx, e.value, scope);
      const fast =
        !key && value.t === "var" && domain.get ? someInVar(domain.get, value.slot) : undefined;
      if (fast) return fast;
      return (q, env, k) =>
        domain(q, env, (coll) =>
          each(coll, (kv, vv) =>
            key
              ? unifyValue(q, env, key, kv, () => unifyValue(q, env, value, vv, k))
              : unifyValue(q, env, value, vv, k),
          ),
        );
    }
    case "every":
      return compileEvery(cx, e, scope);
  }
}

/** `x = <single-valued term>`: bind or compare without the general unifier. */
function bindFast(a: Pat, b: Pat): ExprFn | undefined {
  if (a.t !== "var" || b.t !== "val" || !b.fn.get) return undefined;
  const slot = a.slot;
  const g = b.fn.get;
  return fromTest((q, env) => {
    const v = g(q, env);
    if (v === undefined) return 0;
    const cur = env[slot];
    if (cur !== undefined) return equal(cur, v) ? 1 : 0;
    env[slot] = v;
    return 2;
  }, slot);
}

/**
 * `some x in xs` with a fresh x and a single-valued domain: a plain loop.
 * With `next`, each element runs the rest of the body directly.
 */
function someInVar(domain: Getter, slot: number, next?: ExprFn): ExprFn {
  // a single test after the loop (`some p in ps; startswith(x, p)`) runs in place
  const det = next?.det;
  const detSlot = next?.detSlot ?? -1;
  // no closures below: one capturing `q`, `env` or `k` would make V8 allocate
  // their context on every call; objects, the rarer domain, go to a helper
  const fn: ExprFn = (q, env, k) => {
    const coll = domain(q, env);
    if (coll === undefined || coll === null || typeof coll !== "object") return false;
    const bound = env[slot];
    // already bound (outer var): membership
    if (bound !== undefined) return memberThen(q, env, k, coll, bound, next);
    if (isObject(coll)) return objectLoop(q, env, k, coll, slot, det, detSlot, next);
    // arrays and sets: an index loop (`for...of` would go through the iterator protocol)
    let stop = false;
    if (Array.isArray(coll)) {
      for (let i = 0; i < coll.length && !stop; i++) {
        env[slot] = coll[i]!;
        stop = det ? testThen(q, env, k, det, detSlot) : next ? next(q, env, k) : k();
      }
    } else {
      const set = coll as RSet;
      for (let i = 0; i < set.size && !stop; i++) {
        env[slot] = set.at(i);
        stop = det ? testThen(q, env, k, det, detSlot) : next ? next(q, env, k) : k();
      }
    }
    env[slot] = undefined;
    return stop;
  };
  if (!next) fn.loop = { domain, slot };
  return fn;
}

/** `some x in coll` with x bound: whether coll has x as a value, then the rest. */
function memberThen(
  q: Query,
  env: Env,
  k: () => boolean,
  coll: Value,
  bound: Value,
  next: ExprFn | undefined,
): boolean {
  let found = false;
  each(coll, (_k, v) => (found = equal(v, bound)));
  return found ? (next ? next(q, env, k) : k()) : false;
}

/** `some x in obj`: each value in turn, then the rest. */
function objectLoop(
  q: Query,
  env: Env,
  k: () => boolean,
  coll: RObject,
  slot: number,
  det: ((q: Query, env: Env) => 0 | 1 | 2) | undefined,
  detSlot: number,
  next: ExprFn | undefined,
): boolean {
  // inline arrows: tsx and wrangler (keepNames) wrap named local ones in a costly helper
  const stop = coll.some((_k, v) => {
    env[slot] = v;
    return det ? testThen(q, env, k, det, detSlot) : next ? next(q, env, k) : k();
  });
  env[slot] = undefined;
  return stop;
}

/** A single-solution literal, then the continuation if it held (as `fromTest`'s function). */
function testThen(
  q: Query,
  env: Env,
  k: () => boolean,
  det: (q: Query, env: Env) => 0 | 1 | 2,
  slot: number,
): boolean {
  const r = det(q, env);
  if (r === 0) return false;
  const stop = k();
  if (r === 2) env[slot] = undefined;
  return stop;
}

function checkAssignable(t: Term): void {
  if (t.type === "var" || t.type === "array" || t.type === "object") return;
  throw new RegoError("rego_compile_error", "cannot assign to non-variable term", t.loc);
}

function compileEvery(cx: CompileCtx, e: Extract<Expr, { kind: "every" }>, outer: Scope): ExprFn {
  const domain = compileTerm(cx, e.domain, outer);
  const scope = new Scope(outer, outer.slots, outer.mod);
  const keySlot = e.key ? scope.declare(e.key.name) : -1;
  const valueSlot = scope.declare(e.value.name);
  const bound = outerSlots(scope);
  if (keySlot >= 0) bound.add(keySlot);
  bound.add(valueSlot);
  const body = compileBody(cx, e.body, scope, [], bound);
  // `every` binds nothing outside: a single-solution test
  return fromTest((q: Query, env: Env) => {
    let failed = false;
    const defined = domain(q, env, (coll) => {
      each(coll, (kv, vv) => {
        if (keySlot >= 0) env[keySlot] = kv;
        env[valueSlot] = vv;
        const ok = body(q, env, () => true);
        if (keySlot >= 0) env[keySlot] = undefined;
        env[valueSlot] = undefined;
        if (!ok) failed = true;
        return failed;
      });
      return true;
    });
    return defined && !failed ? 1 : 0;
  });
}
