import type { Value } from "../value.ts";

/**
 * Per-query facts a builtin may read. One context is created per query
 * evaluation, so e.g. `time.now_ns` is fixed for the whole query.
 */
export interface BuiltinContext {
  /** Nanoseconds since the epoch, fixed when the query started. */
  readonly nowNs: bigint;
  /** Builtin errors are errors (OPA's strict-builtin-errors), not undefined. */
  readonly strict: boolean;
  /** Memo for the duration of one query (e.g. compiled regexes, `rand.intn`). */
  readonly cache: Map<string, unknown>;
  /** Source of randomness (tests may fix it). Returns bytes. */
  randomBytes(n: number): Uint8Array;
}

/**
 * A builtin's implementation: operands in, a value out, or `undefined`
 * when the builtin is undefined for these operands. Errors are thrown as
 * `OperandTypeError` or `BuiltinError` from `../errors.ts`.
 */
export type BuiltinFn = (args: readonly Value[], ctx: BuiltinContext) => Value | undefined;

/** A declared type, as OPA's capabilities describe builtin signatures. */
export type TypeSpec =
  | "any"
  | "null"
  | "boolean"
  | "number"
  | "string"
  | { array: TypeSpec }
  | { set: TypeSpec }
  | { object: [TypeSpec, TypeSpec] }
  | { static: TypeSpec[] }
  | { oneOf: TypeSpec[] };

export interface BuiltinDef {
  /** Full dotted name, e.g. `strings.replace_n` or `count`. */
  readonly name: string;
  /** Operand types, used by the compiler for arity and constant type checks. */
  readonly args: readonly TypeSpec[];
  readonly result: TypeSpec;
  /** Relation builtins (e.g. `walk`) produce many values; see `relation`. */
  readonly fn: BuiltinFn;
  /**
   * When set, the builtin is a relation: it yields every output instead of
   * one (`walk(x, [path, value])`). `fn` is then unused by the evaluator.
   */
  readonly relation?: (args: readonly Value[], ctx: BuiltinContext) => Iterable<Value>;
  /** Result depends on more than its operands (time, random): never constant-folded. */
  readonly nondeterministic?: boolean;
  /**
   * Deprecated in OPA (`any`, `re_match`, `cast_*`, …): still callable from
   * v0 modules, while v1 modules get `rego_type_error: deprecated built-in
   * function calls in expression: <name>`, as OPA reports it.
   */
  readonly deprecated?: boolean;
}

/** A domain's table of builtins, e.g. `strings.ts` exports one. */
export type BuiltinTable = readonly BuiltinDef[];
