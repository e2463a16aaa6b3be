import type { BuiltinContext } from "../builtins/types.ts";
import type { DocNode } from "../compile/tree.ts";
import { internalize, type Value } from "../value.ts";
import { Arg, CONSTANT } from "./args.ts";

/** Variable slots of one rule evaluation; `undefined` = unbound. */
export type Env = (Value | undefined)[];
/** An input path read on a plain JSON object (undefined: no value). */
export type RecordReader = (record: Record<string, unknown>) => Value | undefined;
/** The value of one constant input path for the query whose `stamp` it holds. */
export interface InputMemo {
  readonly keys: readonly Value[];
  /**
   * Present when every key is a string that names no member of
   * Object.prototype (on a plain JSON object, a property read finds exactly
   * the own member): reads the path on a plain JSON input.
   */
  readonly read: RecordReader | undefined;
  stamp: number;
  value: Value | undefined;
}

/** Continuation: called once per solution; returning true stops the search. */
export type K = () => boolean;
/** Continuation receiving a value. */
export type VK = (v: Value) => boolean;
/** A compiled term: produces each of its values (usually one). */
export interface TermFn {
  (q: Query, env: Env, k: VK): boolean;
  /**
   * Present when the term has at most one value and needs no search: the
   * fast path that skips continuations (`undefined` = no value).
   */
  get?: Getter;
  /** Present when the term is a literal known at compile time. */
  constant?: Value;
  /** Present when the term is `input` followed by constant keys: its per-query memo. */
  inputMemo?: InputMemo;
  /** Present on literals, vars and input paths: the term as an operand read in place. */
  arg?: Arg;
  /**
   * Present on common single-valued terms: the term used as a body literal
   * (1 = defined and not false), computed in place rather than through `get`.
   */
  truthy?: (q: Query, env: Env) => 0 | 1;
}

/** A body literal's outcome for a term's value: it holds unless undefined or false. */
export function holds(v: Value | undefined): 0 | 1 {
  return v === undefined || v === false ? 0 : 1;
}

/** A term whose value is known at compile time. */
export function constantTerm(literal: Value): TermFn {
  const v = typeof literal === "string" ? internalize(literal) : literal;
  const get = () => v;
  const fn = fromGetter(get);
  fn.constant = v;
  fn.arg = new Arg(CONSTANT, v, -1, undefined, get);
  return fn;
}

/** Direct evaluation of a single-valued term. */
export type Getter = (q: Query, env: Env) => Value | undefined;

/** Wraps a getter as a full term function that also exposes it. */
export function fromGetter(get: Getter): TermFn {
  const fn: TermFn = (q, env, k) => {
    const v = get(q, env);
    return v === undefined ? false : k(v);
  };
  fn.get = get;
  return fn;
}
/** A compiled body literal. */
export interface ExprFn {
  (q: Query, env: Env, k: K): boolean;
  /**
   * Present when the literal has at most one solution: runs it as a test.
   * Returns 0 (fails), 1 (holds) or 2 (holds and bound `detSlot`).
   */
  det?: (q: Query, env: Env) => 0 | 1 | 2;
  detSlot?: number;
  /**
   * Present on bodies whose literals all have one solution at most: runs
   * them and says whether they hold, leaving bindings in `env` (callers use
   * it on a fresh env they then drop, e.g. a rule evaluation). Truthy
   * when they hold: a one-literal body's test is that literal's `det`.
   */
  test?: (q: Query, env: Env) => boolean | 0 | 1 | 2;
  /**
   * Present on `some x in xs` over a single-valued domain with a fresh x:
   * the chain fuses it with the literals after it into one loop.
   */
  loop?: { readonly domain: Getter; readonly slot: number };
}

/** Builds an ExprFn from a deterministic test. */
export function fromTest(det: (q: Query, env: Env) => 0 | 1 | 2, detSlot = -1): ExprFn {
  const fn: ExprFn = (q, env, k) => {
    const r = det(q, env);
    if (r === 0) return false;
    const stop = k();
    if (r === 2) env[detSlot] = undefined;
    return stop;
  };
  fn.det = det;
  fn.detSlot = detSlot;
  return fn;
}

/** What a `with` replaces a function or builtin by. */
export type FnOverride =
  | { readonly kind: "value"; readonly value: Value }
  | { readonly kind: "fn"; readonly call: CallFn };

/** Calls a function with evaluated operands; yields each result. */
export type CallFn = (q: Query, args: readonly Value[], k: VK) => boolean;

/** Computed, and undefined, in the per-query cache. */
export const NONE = Symbol("none");

/** Being computed (a second request means recursion) in the per-query cache. */
export const PENDING = Symbol("pending");

/** State of one query evaluation; `with` creates a child with its own cache. */
export interface Query {
  /**
   * The input as a Rego value; with `inputJSON` set, made from it when first
   * asked for (`inputOf`): input paths read the JSON directly, and most
   * queries never need the whole document as a value.
   */
  input: Value | undefined;
  /** The input as the caller passed it (plain JSON), while `input` is not made yet. */
  readonly inputJSON: unknown;
  /**
   * `inputJSON` when it is a plain JSON object (checked once per query):
   * input paths read its members without testing it again.
   */
  readonly inputRecord: Record<string, unknown> | undefined;
  readonly data: Value;
  /**
   * This evaluation's mark on the documents it memoises (`DocNode.memo`):
   * unique per query, and per `with` or mocked call, which see other values.
   */
  readonly stamp: number;
  readonly fnOverrides: ReadonlyMap<string, FnOverride> | undefined;
  /** Virtual documents replaced by `with data...`: their base value wins. */
  readonly masked: ReadonlySet<DocNode> | undefined;
  readonly bctx: BuiltinContext;
  readonly strict: boolean;
  readonly print: (line: string) => void;
  /** Depth guard against runaway recursion. */
  depth: number;
  /**
   * Set while evaluating when something read input, base data or a
   * nondeterministic builtin: the value then cannot outlive the query.
   */
  readonly track: { impure: boolean };
  /**
   * Documents that depend on nothing per query keep their value on the node
   * (`DocNode.constValue`) for every later query; off under `with`.
   */
  readonly consts: boolean;
  /** Base data is not empty (reading it makes a document query-specific). */
  readonly hasData: boolean;
  /**
   * Base data generation: input-independent values are reused only while
   * queries pass the same data (values may depend on it).
   */
  readonly constGen: number;
}

let stamps = 0;

/** A fresh `Query.stamp`. */
export function newStamp(): number {
  return ++stamps;
}

/** Operand values of a call. */
export type PatternArgs = readonly Value[];

/** The env of a rule without variables: nothing writes to it, so one serves every evaluation. */
const NO_SLOTS: Env = Object.freeze([]) as unknown as Env;

/**
 * A fresh, unbound env of `n` slots. `new Array(n)` with a variable length
 * goes through the generic Array constructor; small envs are built as
 * literals instead (same contents: every slot unbound).
 */
export function newEnv(n: number): Env {
  switch (n) {
    case 0:
      return NO_SLOTS;
    case 1:
      return [undefined];
    case 2:
      return [undefined, undefined];
    case 3:
      return [undefined, undefined, undefined];
    case 4:
      return [undefined, undefined, undefined, undefined];
    default:
      return new Array(n);
  }
}
