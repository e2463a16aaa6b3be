import { RegoError } from "../errors.ts";
import { equal, isArray, RObject, type Value } from "../value.ts";
import { allBound, type Pat } from "./operands.ts";
import type { Env, K, Query } from "./types.ts";

/** Matches a value against a pattern, binding unbound vars for the continuation. */
export function unifyValue(q: Query, env: Env, p: Pat, v: Value, k: K): boolean {
  switch (p.t) {
    case "var": {
      const b = env[p.slot];
      if (b !== undefined) return equal(b, v) ? k() : false;
      env[p.slot] = v;
      const stop = k();
      env[p.slot] = undefined;
      return stop;
    }
    case "array":
      if (!isArray(v) || v.length !== p.items.length) return false;
      return unifyItems(q, env, p.items, v, 0, k);
    case "object": {
      if (!(v instanceof RObject) || v.size !== p.keys.length) return false;
      return unifyEntries(q, env, p, v, 0, k);
    }
    default:
      return p.fn(q, env, (x) => (equal(x, v) ? k() : false));
  }
}

function unifyItems(
  q: Query,
  env: Env,
  items: readonly Pat[],
  vs: readonly Value[],
  i: number,
  k: K,
): boolean {
  if (i === items.length) return k();
  return unifyValue(q, env, items[i]!, vs[i]!, () => unifyItems(q, env, items, vs, i + 1, k));
}

function unifyEntries(
  q: Query,
  env: Env,
  p: Extract<Pat, { t: "object" }>,
  v: RObject,
  i: number,
  k: K,
): boolean {
  if (i === p.keys.length) return k();
  return p.keys[i]!(q, env, (key) => {
    const x = v.get(key);
    if (x === undefined) return false;
    return unifyValue(q, env, p.values[i]!, x, () => unifyEntries(q, env, p, v, i + 1, k));
  });
}

/** True when the pattern still has unbound vars (so it must be matched, not evaluated). */
export function isOpen(env: Env, p: Pat): boolean {
  switch (p.t) {
    case "var":
      return env[p.slot] === undefined;
    case "array":
      return p.items.some((x) => isOpen(env, x));
    case "object":
      return p.values.some((x) => isOpen(env, x));
    default:
      return !allBound(env, p.slots);
  }
}

/** `a = b` between two patterns. */
export function unifyPats(q: Query, env: Env, a: Pat, b: Pat, k: K): boolean {
  const aOpen = isOpen(env, a);
  const bOpen = isOpen(env, b);
  if (aOpen && bOpen) {
    if (a.t === "array" && b.t === "array") {
      if (a.items.length !== b.items.length) return false;
      return unifyPairs(q, env, a.items, b.items, 0, k);
    }
    if (a.t === "val") return a.fn(q, env, (v) => unifyValue(q, env, b, v, k));
    if (b.t === "val") return b.fn(q, env, (v) => unifyValue(q, env, a, v, k));
    if (a.t === "object" && b.t === "object") {
      if (a.keys.length !== b.keys.length) return false;
      return objectPairs(q, env, a, b, k);
    }
    const name = a.t === "var" ? a.name : b.t === "var" ? b.name : "?";
    throw new RegoError("rego_unsafe_var_error", `var ${name} is unsafe`);
  }
  if (aOpen) return evalPat(q, env, b, (v) => unifyValue(q, env, a, v, k));
  return evalPat(q, env, a, (v) => unifyValue(q, env, b, v, k));
}

function unifyPairs(
  q: Query,
  env: Env,
  as: readonly Pat[],
  bs: readonly Pat[],
  i: number,
  k: K,
): boolean {
  if (i === as.length) return k();
  return unifyPats(q, env, as[i]!, bs[i]!, () => unifyPairs(q, env, as, bs, i + 1, k));
}

function objectPairs(
  q: Query,
  env: Env,
  a: Extract<Pat, { t: "object" }>,
  b: Extract<Pat, { t: "object" }>,
  k: K,
): boolean {
  // Keys are ground: evaluate both key lists, match by key, then unify values.
  const ka: Value[] = [];
  const kb: Value[] = [];
  for (const f of a.keys)
    if (
      !f(q, env, (v) => {
        ka.push(v);
        return true;
      })
    )
      return false;
  for (const f of b.keys)
    if (
      !f(q, env, (v) => {
        kb.push(v);
        return true;
      })
    )
      return false;
  const pairsA: Pat[] = [];
  const pairsB: Pat[] = [];
  for (let i = 0; i < ka.length; i++) {
    const j = kb.findIndex((x) => equal(x, ka[i]!));
    if (j < 0) return false;
    pairsA.push(a.values[i]!);
    pairsB.push(b.values[j]!);
  }
  return unifyPairs(q, env, pairsA, pairsB, 0, k);
}

/** Evaluates a closed pattern to its values. */
export function evalPat(q: Query, env: Env, p: Pat, k: (v: Value) => boolean): boolean {
  switch (p.t) {
    case "var": {
      const v = env[p.slot];
      return v === undefined ? false : k(v);
    }
    case "array":
      return evalItems(q, env, p.items, 0, [], k);
    case "object":
      return evalObject(q, env, p, 0, new RObject(), k);
    default:
      return p.fn(q, env, k);
  }
}

function evalItems(
  q: Query,
  env: Env,
  items: readonly Pat[],
  i: number,
  acc: Value[],
  k: (v: Value) => boolean,
): boolean {
  if (i === items.length) return k(acc.slice());
  return evalPat(q, env, items[i]!, (v) => {
    acc[i] = v;
    return evalItems(q, env, items, i + 1, acc, k);
  });
}

function evalObject(
  q: Query,
  env: Env,
  p: Extract<Pat, { t: "object" }>,
  i: number,
  acc: RObject,
  k: (v: Value) => boolean,
): boolean {
  if (i === p.keys.length) return k(new RObject(acc.entries()));
  return p.keys[i]!(q, env, (key) =>
    evalPat(q, env, p.values[i]!, (v) => {
      acc.set(key, v);
      return evalObject(q, env, p, i + 1, acc, k);
    }),
  );
}
