import { candidates } from "../compile/rule-index.ts";
import type { CompiledRule, DocNode } from "../compile/tree.ts";
import { RegoError } from "../errors.ts";
import { equal, RObject, RSet, type Value } from "../value.ts";
import { each, indexData, navigate, type Operand, step } from "./operands.ts";
import { type Env, NONE, newEnv, PENDING, type Query } from "./types.ts";

/** Objects built from tree structure (not rule values): only these merge. */
const containers = new WeakSet<RObject>();
function container(entries?: Iterable<readonly [Value, Value]>): RObject {
  const o = new RObject(entries);
  containers.add(o);
  return o;
}

/** A continuation that takes the first solution. */
const STOP = () => true;

const conflict = (msg: string, rule?: CompiledRule) =>
  new RegoError("eval_conflict_error", msg, rule?.loc);

/**
 * Follows a ref through `data`: virtual documents (rules) where the tree has
 * them, base data elsewhere. `base` is the base document at `node`.
 */
export function navData(
  q: Query,
  env: Env,
  node: DocNode,
  base: Value | undefined,
  ops: readonly Operand[],
  i: number,
  k: (v: Value) => boolean,
): boolean {
  if (q.masked?.has(node)) return base === undefined ? false : navigate(q, env, base, ops, i, k);
  if (node.hasOwnValue && base !== undefined) return navigate(q, env, base, ops, i, k);
  if (node.hasOwnValue || i === ops.length) {
    const v = nodeValue(q, node, base);
    return v === undefined ? false : navigate(q, env, v, ops, i, k);
  }
  const op = ops[i]!;
  if (!node.children.size) return navigate(q, env, base ?? null, ops, i, k, true);
  // inline arrows: tsx and wrangler (keepNames) wrap named local ones in a costly helper
  return step(
    q,
    env,
    op,
    base ?? null,
    k,
    (f) => {
      for (const c of node.children.values()) {
        if (c.isFunction) continue;
        if (f(c.key)) return true;
      }
      if (base === undefined) return false;
      return each(base, (key) => (node.child(key) ? false : f(key)));
    },
    (key) => {
      const c = node.child(key);
      const b = base === undefined ? undefined : indexData(base, key);
      if (c) return navData(q, env, c, b, ops, i + 1, k);
      return b === undefined ? false : navigate(q, env, b, ops, i + 1, k, true);
    },
  );
}

/** The whole document at a node: its rules' value merged with children and base data. */
export function nodeValue(q: Query, node: DocNode, base: Value | undefined): Value | undefined {
  if (q.masked?.has(node)) return base;
  if (node.isFunction) return undefined;
  if (node.hasOwnValue && base !== undefined) return base;
  if (node.hasOwnValue) {
    const own = ownValue(q, node);
    if (node.children.size === 0) return own;
    if (own !== undefined && !(own instanceof RObject)) return own;
    const out = container(own?.entries());
    for (const c of node.children.values()) {
      const cv = nodeValue(q, c, undefined);
      if (cv === undefined) continue;
      const prev = out.get(c.key);
      out.set(c.key, prev === undefined ? cv : merge(prev, cv));
    }
    return out;
  }
  const out = container(base instanceof RObject ? base.entries() : undefined);
  if (base !== undefined && !(base instanceof RObject) && node.children.size === 0) return base;
  for (const c of node.children.values()) {
    const cv = nodeValue(q, c, base instanceof RObject ? base.get(c.key) : undefined);
    if (cv !== undefined) out.set(c.key, cv);
  }
  return out;
}

/** Deep-merges two objects; anything else must be equal. */
function merge(a: Value, b: Value): Value {
  if (a instanceof RSet && b instanceof RSet) return new RSet([...a, ...b]);
  if (a instanceof RObject && b instanceof RObject && containers.has(a) && containers.has(b)) {
    const out = container(a.entries());
    for (const [k, v] of b.entries()) {
      const prev = out.get(k);
      out.set(k, prev === undefined ? v : merge(prev, v));
    }
    return out;
  }
  if (!equal(a, b)) throw conflict("object keys must be unique");
  return a;
}

/** The value the rules at a node define, memoised per query. */
export function ownValue(q: Query, node: DocNode): Value | undefined {
  if (q.consts && node.constGen === q.constGen) return node.constValue;
  if (node.memoStamp !== q.stamp || node.memo === PENDING) return computeOnce(q, node);
  // only query-specific values are memoised per query
  q.track.impure = true;
  const v = node.memo;
  return v === NONE ? undefined : v;
}

/** Computes a node's value and memoises it (kept apart so that the memo hit stays small). */
function computeOnce(q: Query, node: DocNode): Value | undefined {
  const useConsts = q.consts;
  if (node.memoStamp === q.stamp) {
    throw new RegoError("rego_recursion_error", `rule ${node.path.join(".")} is recursive`);
  }
  node.memoStamp = q.stamp;
  node.memo = PENDING;
  const outer = q.track.impure;
  q.track.impure = false;
  try {
    const v = computeOwn(q, node);
    if (!q.track.impure && useConsts) {
      // depends on nothing per query: keep it for every later query
      node.constValue = v;
      node.constGen = q.constGen;
      node.memoStamp = -1;
      node.memo = undefined;
    } else {
      // a `with` below may have memoised its own value here meanwhile
      node.memoStamp = q.stamp;
      node.memo = v === undefined ? NONE : v;
    }
    return v;
  } catch (e) {
    if (node.memoStamp === q.stamp) {
      node.memoStamp = -1;
      node.memo = undefined;
    }
    throw e;
  } finally {
    q.track.impure ||= outer;
  }
}

function computeOwn(q: Query, node: DocNode): Value | undefined {
  let rules: readonly CompiledRule[] = node.rules;
  const index = node.ruleIndex;
  if (index !== undefined && !(index.implied && (q.masked !== undefined || q.hasData))) {
    q.track.impure = true;
    rules = candidates(index, q);
  }
  // each kind of document in its own function: small ones V8 optimizes alike in every run
  const kind = node.valueKind;
  if (kind === "multi") return multiValue(q, rules);
  if (kind === "same") return sameValue(q, node, rules, node.sameValue!);
  return completeValue(q, node, rules);
}

/** The set `contains` rules define (no ref-head rules at the node). */
function multiValue(q: Query, rules: readonly CompiledRule[]): RSet {
  const out = new RSet();
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i]!;
    const test = r.test;
    const constKey = r.keyConstant;
    if (constKey !== undefined) {
      // `contains "literal"`: the first solution settles it
      const env = takeEnv(r);
      if (test ? test(q, env) : r.body(q, env, STOP)) out.add(constKey);
      releaseEnv(r, env);
      continue;
    }
    const get = r.keyGet;
    if (test && get) {
      // evalMulti's fast path, without a continuation per document
      const env = takeEnv(r);
      const v = test(q, env) ? get(q, env) : undefined;
      releaseEnv(r, env);
      if (v !== undefined) out.add(v);
      continue;
    }
    addKeys(q, r, out);
  }
  return out;
}

/** Every rule gives the same literal: the first that holds settles the document. */
function sameValue(
  q: Query,
  node: DocNode,
  rules: readonly CompiledRule[],
  same: Value,
): Value | undefined {
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i]!;
    const test = r.test;
    const env = takeEnv(r);
    const holds = test ? test(q, env) : r.body(q, env, STOP);
    releaseEnv(r, env);
    if (holds) return same;
  }
  return node.defaultRule ? defaultValue(q, node.defaultRule) : undefined;
}

/** The value complete rules (and ref-head rules below the node) define. */
function completeValue(q: Query, node: DocNode, rules: readonly CompiledRule[]): Value | undefined {
  let result: Value | undefined;
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i]!;
    const v = ruleValue(q, r);
    if (v === undefined) continue;
    if (result !== undefined && !equal(result, v)) {
      throw conflict("complete rules must not produce multiple outputs", r);
    }
    result = v;
  }
  if (node.dynamic.length > 0) {
    const obj = result instanceof RObject ? result : container();
    for (const r of node.dynamic) evalDynamic(q, r, obj);
    return obj;
  }
  if (result === undefined && node.defaultRule) result = defaultValue(q, node.defaultRule);
  return result;
}

/**
 * A fresh env for one evaluation of a rule: the rule's spare one when it has
 * it. Evaluations of one rule at a node do not nest (that would be
 * recursion), and one that does gets a new env, as the spare is taken.
 */
function takeEnv(r: CompiledRule): Env {
  // a rule without variables shares the one empty env: nothing to take
  if (r.nslots === 0) return NO_SLOTS;
  const env = r.spare;
  if (env === undefined) return newEnv(r.nslots);
  r.spare = undefined;
  return env;
}

/** Gives a finished evaluation's env back, unbound, as the rule's spare. */
function releaseEnv(r: CompiledRule, env: Env): void {
  if (env === NO_SLOTS) return;
  for (let i = 0; i < env.length; i++) env[i] = undefined;
  r.spare = env;
}

/** The env of every rule without variables (nothing writes to it). */
const NO_SLOTS: Env = newEnv(0);

/**
 * A default rule's value: its literal when it has one (`default allow :=
 * false`), without evaluating its empty body.
 */
function defaultValue(q: Query, r: CompiledRule): Value | undefined {
  const constant = r.first.constant;
  return constant !== undefined ? constant : ruleValue(q, r);
}

/** A complete rule's value at its node, on the rule's spare env. */
function ruleValue(q: Query, r: CompiledRule): Value | undefined {
  const env = takeEnv(r);
  const v = evalComplete(q, r, env);
  releaseEnv(r, env);
  return v;
}

/**
 * Adds every key a multi-value rule produces. Apart from `computeOwn`:
 * a closure there would capture its locals, and V8 then allocates their
 * context on every call, used or not.
 */
function addKeys(q: Query, r: CompiledRule, out: RSet): void {
  evalMulti(q, r, (key) => {
    out.add(key);
    return false;
  });
}

/** A complete rule's value: the first clause of its else chain with a solution. */
export function evalComplete(
  q: Query,
  r: CompiledRule,
  env: Env = newEnv(r.nslots),
): Value | undefined {
  const clauses = r.clauses;
  // the first clause is at hand on the rule (most rules have no else)
  let clause = r.first;
  for (let i = 0; i < clauses.length; i++) {
    if (i > 0) clause = clauses[i]!;
    const test = clause.test;
    const constant = clause.constant;
    if (constant !== undefined) {
      // every solution gives this value: the first one settles the clause
      if (test ? test(q, env) : clause.body(q, env, STOP)) return constant;
      continue;
    }
    const get = clause.get;
    if (test && get) {
      // one solution at most: no continuation, no conflict possible
      if (!test(q, env)) continue;
      const v = get(q, env);
      if (v !== undefined) return v;
      continue;
    }
    const result = clauseValue(q, r, clause, env);
    if (result !== undefined) return result;
  }
  return undefined;
}

/**
 * The value of a clause that may have several solutions, all of which must
 * agree. Apart from `evalComplete` so that its fast paths allocate nothing
 * (the closures here capture their variables in a context made per call).
 */
function clauseValue(
  q: Query,
  r: CompiledRule,
  clause: CompiledRule["clauses"][number],
  env: Env,
): Value | undefined {
  let result: Value | undefined;
  clause.body(q, env, () =>
    clause.value(q, env, (v) => {
      if (result !== undefined && !equal(result, v)) {
        throw conflict(
          r.kind === "function"
            ? "functions must not produce multiple outputs for same inputs"
            : "complete rules must not produce multiple outputs",
          r,
        );
      }
      result = v;
      return false;
    }),
  );
  return result;
}

/** Each key a multi-value (`contains`) rule produces. */
export function evalMulti(q: Query, r: CompiledRule, k: (key: Value) => boolean): boolean {
  const env: Env = newEnv(r.nslots);
  const key = r.key!;
  const c = r.clauses[0]!;
  const body = c.body;
  const test = c.test;
  if (r.keyConstant !== undefined) {
    return (test ? test(q, env) : body(q, env, STOP)) ? k(r.keyConstant) : false;
  }
  const get = r.keyGet;
  if (test && get) {
    if (!test(q, env)) return false;
    const v = get(q, env);
    return v === undefined ? false : k(v);
  }
  return body(q, env, () => key(q, env, k));
}

/** Adds a ref-head rule's entries (`p[x].y := v`, `p[x] contains v`) to the node's object. */
function evalDynamic(q: Query, r: CompiledRule, obj: RObject): void {
  // module functions and inline arrows, not named local closures: tsx and
  // wrangler (keepNames) wrap named local arrows in a costly helper
  const d: Dynamic = { q, r, obj, env: newEnv(r.nslots), keys: [], clause: r.clauses[0]! };
  for (const c of r.clauses) {
    d.clause = c;
    let found = false;
    c.body(q, d.env, () => {
      found = true;
      return suffixKeys(d, 0);
    });
    if (found) break;
  }
}

/** One ref-head rule evaluation: where its entries go, and the keys bound so far. */
interface Dynamic {
  readonly q: Query;
  readonly r: CompiledRule;
  readonly obj: RObject;
  readonly env: Env;
  readonly keys: Value[];
  clause: CompiledRule["clauses"][number];
}

/** Evaluates the head's variable segments from `i`, then stores the entry. */
function suffixKeys(d: Dynamic, i: number): boolean {
  if (i === d.r.suffix.length) return putEntry(d);
  return d.r.suffix[i]!(d.q, d.env, (key) => {
    d.keys[i] = key;
    return suffixKeys(d, i + 1);
  });
}

/** Stores the value (or set member) at the bound keys, making objects on the way. */
function putEntry(d: Dynamic): boolean {
  const { r, keys } = d;
  let target = d.obj;
  for (let i = 0; i < keys.length - 1; i++) {
    const k = keys[i]!;
    let next = target.get(k);
    if (next === undefined) {
      next = container();
      target.set(k, next);
    } else if (!(next instanceof RObject)) {
      throw conflict("object keys must be unique", r);
    }
    target = next;
  }
  const last = keys[keys.length - 1]!;
  if (r.kind === "multi") {
    return r.key!(d.q, d.env, (v) => {
      let set = target.get(last);
      if (set === undefined) {
        set = new RSet();
        target.set(last, set);
      }
      if (!(set instanceof RSet)) throw conflict("object keys must be unique", r);
      set.add(v);
      return false;
    });
  }
  return d.clause.value(d.q, d.env, (v) => {
    const prev = target.get(last);
    if (prev !== undefined && !equal(prev, v)) throw conflict("object keys must be unique", r);
    target.set(last, v);
    return false;
  });
}
