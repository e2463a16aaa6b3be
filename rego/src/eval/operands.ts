import {
  isObject,
  isSet,
  KIND_OBJECT,
  KIND_SET,
  kindOf,
  type RObject,
  type RSet,
  type Value,
} from "../value.ts";
import type { Env, Query, TermFn } from "./types.ts";
import { unifyValue } from "./unify.ts";

/**
 * A compiled pattern: what `=` and `some ... in` match values against.
 * `val` is any other term, evaluated and compared.
 */
export type Pat =
  | { readonly t: "var"; readonly slot: number; readonly name: string }
  | { readonly t: "array"; readonly items: readonly Pat[] }
  | { readonly t: "object"; readonly keys: readonly TermFn[]; readonly values: readonly Pat[] }
  | { readonly t: "val"; readonly fn: TermFn; readonly slots: readonly number[] };

/** A ref operand: a constant key, a variable, or any term (maybe a pattern). */
export type Operand =
  | { readonly kind: "const"; readonly key: Value }
  | {
      readonly kind: "var";
      readonly slot: number;
      /** The compiler knows the var is bound whenever the operand is evaluated. */
      readonly bound: boolean;
    }
  | {
      readonly kind: "term";
      readonly fn: TermFn;
      readonly pat: Pat;
      readonly slots: readonly number[];
      /** Has a wildcard in a pattern position: always matched, never evaluated. */
      readonly wild: boolean;
    };

/** True when every slot is bound. */
export function allBound(env: Env, slots: readonly number[]): boolean {
  for (let i = 0; i < slots.length; i++) if (env[slots[i]!] === undefined) return false;
  return true;
}

/** `value[key]`: array index, object key, or set membership. */
export function index(v: Value, key: Value): Value | undefined {
  // the kind is loaded once (a load through the prototype) for sets and objects alike;
  // sets first: `allowed[x]` membership is the commonest lookup in policies
  const kind = kindOf(v);
  if (kind === KIND_SET) return (v as RSet).has(key) ? key : undefined;
  if ((kind & KIND_OBJECT) !== 0) return (v as RObject).get(key);
  if (Array.isArray(v)) {
    if (typeof key === "number") return Number.isInteger(key) ? v[key] : undefined;
    return undefined;
  }
  return undefined;
}

/** Base data keys are strings: `data.x[2]` finds the key "2". */
export function indexData(v: Value, key: Value): Value | undefined {
  const r = index(v, key);
  if (r !== undefined || !isObject(v) || typeof key !== "number") return r;
  return v.get(String(key));
}

/** Calls `f(key, value)` for each element of a collection; stops when it returns true. */
export function each(v: Value, f: (key: Value, value: Value) => boolean): boolean {
  if (v === null || typeof v !== "object") return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (f(i, v[i]!)) return true;
    return false;
  }
  if (isObject(v)) return v.some(f);
  if (isSet(v)) return v.some((x) => f(x, x));
  return false;
}

/**
 * Resolves one operand against a collection: a bound key looks up, an
 * unbound var or pattern enumerates and binds. Calls `k(child)` per match.
 */
export function step(
  q: Query,
  env: Env,
  op: Operand,
  coll: Value,
  k: (child: Value) => boolean,
  keysOf?: (f: (key: Value) => boolean) => boolean,
  get?: (key: Value) => boolean,
  ix: (v: Value, key: Value) => Value | undefined = index,
): boolean {
  if (op.kind === "const") return get ? get(op.key) : child(ix(coll, op.key), k);
  if (op.kind === "var") {
    const b = env[op.slot];
    if (b !== undefined) return get ? get(b) : child(ix(coll, b), k);
    // inline arrows: tsx and wrangler (keepNames) wrap named local ones in a costly helper
    const slot = op.slot;
    if (keysOf) return keysOf((key) => bindKey(env, slot, key, null, k, get));
    return each(coll, (key, value) => bindKey(env, slot, key, value, k, get));
  }
  if (!op.wild && allBound(env, op.slots)) {
    return op.fn(q, env, (key) => (get ? get(key) : child(ix(coll, key), k)));
  }
  const pat = op.pat;
  if (keysOf) {
    return keysOf((key) => unifyValue(q, env, pat, key, () => (get ? get(key) : k(null))));
  }
  return each(coll, (key, value) =>
    unifyValue(q, env, pat, key, () => (get ? get(key) : k(value))),
  );
}

/** Binds a var to a key for the continuation, then unbinds it. */
function bindKey(
  env: Env,
  slot: number,
  key: Value,
  value: Value,
  k: (child: Value) => boolean,
  get: ((key: Value) => boolean) | undefined,
): boolean {
  env[slot] = key;
  const stop = get ? get(key) : k(value);
  env[slot] = undefined;
  return stop;
}

function child(v: Value | undefined, k: (v: Value) => boolean): boolean {
  return v === undefined ? false : k(v);
}

/** Follows operands from `i` on, through plain values. */
export function navigate(
  q: Query,
  env: Env,
  v: Value,
  ops: readonly Operand[],
  i: number,
  k: (v: Value) => boolean,
  data = false,
): boolean {
  if (i === ops.length) return k(v);
  // inline closures: tsx's keepNames wraps named local arrows in a costly helper
  return step(
    q,
    env,
    ops[i]!,
    v,
    (c) => navigate(q, env, c, ops, i + 1, k, data),
    undefined,
    undefined,
    data ? indexData : index,
  );
}
