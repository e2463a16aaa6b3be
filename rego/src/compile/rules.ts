import type { Expr, Rule, Term } from "../ast/nodes.ts";
import type { Pat } from "../eval/operands.ts";
import type { TermFn } from "../eval/types.ts";
import { RObject, type Value } from "../value.ts";
import type { CompileCtx } from "./context.ts";
import { compileBody } from "./exprs.ts";
import { forEachPatternVar, type ModuleCtx, Scope, SlotCounter } from "./scope.ts";
import { compilePat, compileTerm } from "./terms.ts";
import { type CompiledRule, clause, type RuleKind } from "./tree.ts";
import { checkAssignments } from "./typecheck.ts";

/** Splits a rule head ref into its static prefix and the variable suffix. */
export function splitHead(rule: Rule): { prefix: Value[]; suffix: Term[] } {
  const ref = rule.head.ref;
  const first = ref[0]!;
  const prefix: Value[] = [first.type === "var" ? first.name : ""];
  let i = 1;
  for (; i < ref.length; i++) {
    const t = ref[i]!;
    if (t.type !== "scalar") break;
    prefix.push(t.value);
  }
  return { prefix, suffix: ref.slice(i) };
}

export function ruleKind(rule: Rule): RuleKind {
  if (rule.head.args) return "function";
  if (rule.head.key) return "multi";
  return "complete";
}

function isPattern(t: Term): boolean {
  if (t.type === "scalar" || t.type === "var") return true;
  if (t.type === "array") return t.items.every(isPattern);
  if (t.type === "object") return t.pairs.every(([k, v]) => k.type === "scalar" && isPattern(v));
  return false;
}

/**
 * Function parameters that are not patterns (`f($"{x}")`, `f(a.b)`) become a
 * fresh parameter compared inside each body, once the body binds their vars.
 */
function liftParams(rule: Rule): Rule {
  const args = rule.head.args;
  if (!args || args.every(isPattern)) return rule;
  const extra: Expr[] = [];
  const lifted = args.map((a, i) => {
    if (isPattern(a)) return a;
    const v: Term = { type: "var", name: `__arg${i}__`, loc: a.loc };
    extra.push({ kind: "unify", left: v, right: a, negated: false, with: [], loc: a.loc });
    return v;
  });
  return {
    ...rule,
    head: { ...rule.head, args: lifted },
    body: [...rule.body, ...extra],
    elses: rule.elses.map((e) => ({ ...e, body: [...e.body, ...extra] })),
  };
}

/**
 * Compiles one rule (with its else chain) into closures over a fresh slot
 * layout; `body`, when given, replaces the rule's body (the rule index runs
 * guarded rules without their guard).
 */
export function compileRule(
  cx: CompileCtx,
  original: Rule,
  mod: ModuleCtx,
  body?: Rule["body"],
): CompiledRule {
  const rule = liftParams(body ? { ...original, body } : original);
  const slots = new SlotCounter();
  const paramScope = new Scope(undefined, slots, mod);
  const kind = ruleKind(rule);
  const params: Pat[] = [];
  const bound = new Set<number>();
  if (rule.head.args) {
    for (const a of rule.head.args) {
      forEachPatternVar(a, (n) => {
        if (n !== "_" && paramScope.vars.get(n) === undefined) bound.add(paramScope.declare(n));
      });
    }
    for (const a of rule.head.args) params.push(compilePat(cx, a, paramScope));
  }
  const { suffix: suffixTerms } = splitHead(rule);
  const annotations = cx.metadata.rule(original);
  cx.current = {
    annotations: annotations ?? new RObject(),
    chain: cx.metadata.chain(original, mod.pkg),
  };
  const clauses: CompiledRule["clauses"] = [];
  let suffix: TermFn[] = [];
  let key: TermFn | undefined;
  const trueTerm: Term = { type: "scalar", value: true, loc: rule.head.loc };
  const all = [{ value: rule.head.value, body: rule.body }, ...rule.elses];
  const paramNames = new Set(paramScope.vars.keys());
  all.forEach((c, i) => {
    if (paramNames.size) checkAssignments(c.body, paramNames);
    const scope = new Scope(paramScope, slots, mod);
    const valueTerm = c.value ?? trueTerm;
    const head = [
      valueTerm,
      ...(rule.head.key ? [rule.head.key] : []),
      ...(i === 0 ? suffixTerms : []),
    ];
    const body = compileBody(cx, c.body, scope, head, new Set(bound));
    const value = compileTerm(cx, valueTerm, scope);
    if (i === 0) {
      suffix = suffixTerms.map((t) => compileTerm(cx, t, scope));
      if (rule.head.key) key = compileTerm(cx, rule.head.key, scope);
    }
    clauses.push(clause(body, value));
  });
  cx.current = undefined;
  // what evaluating the rule reads comes first: V8 lays the fields out in
  // this order, so they share the object's first cache line
  return {
    test: clauses[0]!.test,
    nslots: slots.n,
    spare: undefined,
    keyConstant: key?.constant,
    body: clauses[0]!.body,
    first: clauses[0]!,
    keyGet: key?.get,
    kind,
    clauses,
    key,
    suffix,
    params,
    ast: rule,
    loc: rule.head.loc,
    isDefault: rule.isDefault,
    annotations,
    chain: undefined,
  };
}
