import type { Expr, Rule, Term } from "../ast/nodes.ts";
import { inputValue } from "../eval/args.ts";
import type { InputMemo, Query } from "../eval/types.ts";
import { equal, type HashKey, hashKey, type Value } from "../value.ts";
import type { CompiledRule, DocNode } from "./tree.ts";

/** The per-query memo of an input path (shared with the refs to it). */
export type MemoOf = (path: readonly Value[]) => InputMemo;

/**
 * A rule compiled again without one literal of its body (undefined: keep
 * the rule as it is).
 */
export type Without = (rule: CompiledRule, literal: Expr) => CompiledRule | undefined;

/**
 * The rule node a body literal's term names (`helper`, `data.pkg.helper`),
 * resolved as the rule's module resolves it; undefined: not a document of
 * this policy, or a local name.
 */
export type ResolveDoc = (rule: CompiledRule, term: Term) => DocNode | undefined;

/** Indexes every node of a compiled tree, and marks nodes whose rules all give one literal. */
export function indexTree(
  node: DocNode,
  memoOf: MemoOf,
  without?: Without,
  resolve?: ResolveDoc,
): void {
  node.ruleIndex = buildRuleIndex(node, memoOf, without, resolve);
  node.sameValue = sameValue(node);
  node.valueKind =
    node.dynamic.length === 0 && node.rules[0]?.kind === "multi"
      ? "multi"
      : node.sameValue !== undefined
        ? "same"
        : "complete";
  for (const c of node.children.values()) indexTree(c, memoOf, without, resolve);
}

/** The literal every complete rule at a node gives, when they all give the same one. */
function sameValue(node: DocNode): Value | undefined {
  const rules = node.rules;
  if (rules.length === 0 || node.dynamic.length > 0 || node.isFunction) return undefined;
  let out: Value | undefined;
  for (const r of rules) {
    if (r.kind !== "complete" || r.clauses.length !== 1) return undefined;
    const c = r.clauses[0]!.constant;
    if (c === undefined || (out !== undefined && !equal(out, c))) return undefined;
    out = c;
  }
  return out;
}

/**
 * Rule indexing (as OPA does): when several rules at a node each require
 * `input.<path> == <constant>`, evaluation looks the input value up once and
 * only runs the rules whose constant matches, plus the unguarded ones. A
 * guarded rule runs only when the input value equals its constant, so it
 * runs compiled without that literal (which would only test it again).
 */
export interface RuleIndex {
  readonly path: readonly Value[];
  /** The guarded input value, read through the memo the guards' own refs use. */
  readonly memo: InputMemo;
  /** Per guard constant: the unguarded rules, then those with that guard. */
  readonly byValue: ReadonlyMap<HashKey, readonly CompiledRule[]>;
  readonly unguarded: readonly CompiledRule[];
  /**
   * With few guard constants (`input.kind` is one of three): their hash
   * keys and rule lists side by side, found by a scan that compares
   * pointers (keys are internalized) rather than a Map lookup.
   */
  readonly smallKeys: readonly HashKey[] | undefined;
  readonly smallLists: readonly (readonly CompiledRule[])[];
  /**
   * Some rule is placed by a guard it has through a helper document it
   * requires (see {@link impliedGuards}). Such a guard holds only while
   * that document is the rules' value: not under `with data...`, nor when
   * the caller's base data may stand in for rules.
   */
  readonly implied: boolean;
}

/** Guard constants scanned rather than looked up, at most. */
const SMALL_INDEX = 8;

const MIN_RULES = 4;

/** A guard literal: `input.<path> == value`; `expr` is absent on an implied guard. */
interface Guard {
  key: string;
  path: Value[];
  value: Value;
  expr: Expr | undefined;
}

/** `input.a.b == "x"` (either side) in a rule's body: the guard's path and constant. */
function guardsOf(rule: Rule): Guard[] {
  if (rule.elses.length > 0) return [];
  const out: Guard[] = [];
  for (const e of rule.body) {
    if (e.negated || e.with.length > 0 || e.kind !== "term") continue;
    const t = e.term;
    if (t.type !== "call" || t.fn.type !== "var" || t.fn.name !== "equal" || t.args.length !== 2)
      continue;
    const [a, b] = t.args as [Term, Term];
    const ref = a.type === "ref" ? a : b.type === "ref" ? b : undefined;
    const lit = ref === a ? b : a;
    if (!ref || lit.type !== "scalar" || ref.head.type !== "var" || ref.head.name !== "input")
      continue;
    if (!ref.path.every((p) => p.type === "scalar")) continue;
    const path = ref.path.map((p) => (p as { value: Value }).value);
    out.push({ key: JSON.stringify(path), path, value: lit.value, expr: e });
  }
  return out;
}

/**
 * Guards a rule has through a helper it requires: a body literal that is a
 * complete document of this policy (`write_outside_allowed`) with no default,
 * every rule of which has the guard `input.kind == "file"`. The helper is
 * undefined, and so the literal fails, unless the guard holds.
 */
function impliedGuards(rule: CompiledRule, resolve: ResolveDoc): Guard[] {
  if (rule.ast.elses.length > 0) return [];
  const out: Guard[] = [];
  for (const e of rule.ast.body) {
    if (e.negated || e.with.length > 0 || e.kind !== "term") continue;
    const doc = resolve(rule, e.term);
    if (
      !doc ||
      doc.isFunction ||
      doc.defaultRule !== undefined ||
      doc.dynamic.length > 0 ||
      doc.children.size > 0 ||
      doc.rules.length === 0 ||
      doc.rules.some((r) => r.kind !== "complete")
    ) {
      continue;
    }
    const [first, ...rest] = doc.rules.map((r) => guardsOf(r.ast));
    for (const g of first!) {
      if (rest.every((gs) => gs.some((x) => x.key === g.key && equal(x.value, g.value)))) {
        out.push({ ...g, expr: undefined });
      }
    }
  }
  return out;
}

/** Builds the index for a node's rules when enough of them share a guard path. */
export function buildRuleIndex(
  node: DocNode,
  memoOf: MemoOf,
  without?: Without,
  resolve?: ResolveDoc,
): RuleIndex | undefined {
  const rules = node.rules;
  if (rules.length < MIN_RULES || rules[0]!.kind === "function") return undefined;
  const guards = rules.map((r) => {
    const own = guardsOf(r.ast);
    return resolve ? [...own, ...impliedGuards(r, resolve)] : own;
  });
  const counts = new Map<string, number>();
  for (const gs of guards)
    for (const k of new Set(gs.map((g) => g.key))) counts.set(k, (counts.get(k) ?? 0) + 1);
  let best: string | undefined;
  for (const [k, n] of counts) if (n >= 2 && (!best || n > counts.get(best)!)) best = k;
  if (!best) return undefined;
  const byValue = new Map<HashKey, CompiledRule[]>();
  const unguarded: CompiledRule[] = [];
  let path: Value[] = [];
  let implied = false;
  rules.forEach((r, i) => {
    // a guard in the rule's own body first: the rule runs without it
    const gs = guards[i]!.filter((x) => x.key === best);
    const g = gs.find((x) => x.expr !== undefined) ?? gs[0];
    if (!g) {
      unguarded.push(r);
      return;
    }
    path = g.path;
    const h = hashKey(g.value);
    const list = byValue.get(h) ?? [];
    if (g.expr === undefined) implied = true;
    list.push((g.expr && without?.(r, g.expr)) ?? r);
    byValue.set(h, list);
  });
  for (const [h, list] of byValue) byValue.set(h, [...unguarded, ...list]);
  const small = byValue.size <= SMALL_INDEX;
  return {
    path,
    memo: memoOf(path),
    byValue,
    unguarded,
    smallKeys: small ? [...byValue.keys()] : undefined,
    smallLists: small ? [...byValue.values()] : [],
    implied,
  };
}

/** The rules worth evaluating for this input (unguarded ones first, order kept otherwise). */
export function candidates(ix: RuleIndex, q: Query): readonly CompiledRule[] {
  const v = inputValue(q, ix.memo);
  if (v === undefined) return ix.unguarded;
  const h = hashKey(v);
  const keys = ix.smallKeys;
  if (keys === undefined) return ix.byValue.get(h) ?? ix.unguarded;
  for (let i = 0; i < keys.length; i++) if (keys[i] === h) return ix.smallLists[i]!;
  return ix.unguarded;
}
