import type { Rule } from "../ast/nodes.ts";
import type { Location } from "../errors.ts";
import type { Pat } from "../eval/operands.ts";
import type { Env, ExprFn, NONE, PENDING, TermFn } from "../eval/types.ts";
import { type HashKey, hashKey, type Value } from "../value.ts";
import type { RuleIndex } from "./rule-index.ts";

/** How a rule contributes to the document at its node. */
export type RuleKind = "complete" | "multi" | "function";

/**
 * A rule body and the value it gives. The fast-path members of `body` and
 * `value` are copied here: read through one record shape, not off
 * function objects whose added properties make every such load megamorphic.
 */
export interface Clause {
  readonly body: ExprFn;
  readonly value: TermFn;
  /** `body.test`: the body has one solution at most. */
  readonly test: ExprFn["test"];
  /** `value.get`: the value is single-valued. */
  readonly get: TermFn["get"];
  /** `value.constant`: the value is a literal. */
  readonly constant: Value | undefined;
}

/** A clause record for a compiled body and value. */
export function clause(body: ExprFn, value: TermFn): Clause {
  return { body, value, test: body.test, get: value.get, constant: value.constant };
}

/** One compiled rule definition (an `else` chain counts as one). */
export interface CompiledRule {
  readonly kind: RuleKind;
  readonly ast: Rule;
  readonly loc: Location;
  readonly isDefault: boolean;
  /** Number of variable slots an evaluation needs. */
  nslots: number;
  /** Head ref terms after the static prefix (`p.q[r].s` at node `p.q` has `[r, "s"]`). */
  suffix: TermFn[];
  /** Function parameters as patterns (unified with the operands). */
  params: Pat[];
  /** `contains` key, for multi-value rules. */
  key: TermFn | undefined;
  /** The key's `constant` and `get`, copied for the same reason as `Clause`'s members. */
  keyConstant: Value | undefined;
  keyGet: TermFn["get"];
  /** Clauses in order: the body and its value (the rule itself, then each `else`). */
  clauses: Clause[];
  /**
   * The first clause's body and its `test`, copied onto the rule: loops
   * over a node's rules (most rules have one clause) read them with one
   * load instead of three dependent ones (rule, clause array, clause).
   */
  body: ExprFn;
  test: ExprFn["test"];
  /** `clauses[0]`, at hand for the same reason. */
  first: Clause;
  /** `rego.metadata.rule()` value. */
  annotations: Value | undefined;
  /** Rule annotations chain for `rego.metadata.chain()`. */
  chain: Value | undefined;
  /** An unbound env of `nslots` slots, free for the next evaluation (see `takeEnv`). */
  spare: Env | undefined;
}

/**
 * `multi`: the set `contains` rules make; `same`: complete rules that all
 * give `sameValue`; `complete`: anything else (complete rules, `else`
 * chains, ref-head rules below the node).
 */
export type ValueKind = "multi" | "same" | "complete";

/** A node of the virtual document tree: a package, a rule, or a static ref-head segment. */
export class DocNode {
  /** Index into the per-query cache (dense within one compiled policy). */
  readonly id: number;
  /** Value shared by all queries, once known to depend on no input or data. */
  constValue: Value | undefined;
  /** The `Query.constGen` under which `constValue` was computed (-1: never). */
  constGen = -1;
  /** Value for the query whose `stamp` is `memoStamp` (`NONE`: undefined; `PENDING`: being computed). */
  memo: Value | typeof PENDING | typeof NONE | undefined;
  memoStamp = -1;
  readonly children = new Map<HashKey, DocNode>();
  readonly rules: CompiledRule[] = [];
  /** Rules whose head continues with variable segments below this node. */
  readonly dynamic: CompiledRule[] = [];
  defaultRule: CompiledRule | undefined;
  /** Set when rules are placed (before bodies compile): rules define this node's value. */
  defines = false;
  /**
   * Set when the node's rules are complete, without else, and all give this
   * same literal (`allow if ...` several times): the first rule that holds
   * settles the value, no conflict being possible.
   */
  sameValue: Value | undefined;
  /** Guards shared by this node's rules, when worth indexing. */
  ruleIndex: RuleIndex | undefined;
  /**
   * How the rules here make the node's value, set with `sameValue` once
   * every rule is placed: evaluation dispatches on it without reading the
   * rule lists each time.
   */
  valueKind: ValueKind = "complete";
  /** Set when function rules are placed here: their parameter count. */
  arity: number | undefined;

  constructor(
    readonly key: Value,
    readonly path: readonly Value[],
    readonly parent: DocNode | undefined,
    /** Shared by all nodes of one tree: hands out ids. */
    readonly counter: { n: number } = { n: 0 },
  ) {
    this.id = counter.n++;
  }

  child(key: Value): DocNode | undefined {
    return this.children.get(hashKey(key));
  }

  ensure(key: Value): DocNode {
    const h = hashKey(key);
    let n = this.children.get(h);
    if (!n) {
      n = new DocNode(key, [...this.path, key], this, this.counter);
      this.children.set(h, n);
    }
    return n;
  }

  get isFunction(): boolean {
    return this.arity !== undefined;
  }

  /** Rules defined exactly here or with variable segments below: the node's own value. */
  get hasOwnValue(): boolean {
    return this.defines;
  }
}
