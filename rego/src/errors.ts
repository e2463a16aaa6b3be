/** Where something is in Rego source text. Lines and columns count from 1. */
export interface Location {
  file: string;
  line: number;
  col: number;
  /** Offsets into the source text, end exclusive. */
  start: number;
  end: number;
}

/** OPA's error codes, as OPA itself reports them. */
export type RegoErrorCode =
  | "rego_parse_error"
  | "rego_compile_error"
  | "rego_unsafe_var_error"
  | "rego_recursion_error"
  | "rego_type_error"
  | "eval_conflict_error"
  | "eval_type_error"
  | "eval_builtin_error"
  | "eval_cancel_error"
  | "eval_internal_error";

/**
 * Every error the engine raises. `render(source)` prints `file:line:col`
 * followed by the source line and a caret under the column.
 */
export class RegoError extends Error {
  constructor(
    readonly code: RegoErrorCode,
    message: string,
    readonly location?: Location,
  ) {
    super(message);
    this.name = "RegoError";
  }

  render(source?: string): string {
    const loc = this.location;
    if (!loc) return `${this.code}: ${this.message}`;
    const head = `${loc.file}:${loc.line}:${loc.col}: ${this.code}: ${this.message}`;
    const line = source?.split("\n")[loc.line - 1];
    if (line === undefined) return head;
    return `${head}\n\t${line}\n\t${" ".repeat(Math.max(0, loc.col - 1))}^`;
  }
}

/**
 * Raised by a builtin when it cannot produce a value for its operands
 * (OPA's `eval_builtin_error`). Outside strict mode the evaluator turns it
 * into "undefined".
 */
export class BuiltinError extends Error {
  readonly code = "eval_builtin_error";
  constructor(message: string) {
    super(message);
    this.name = "BuiltinError";
  }
}

/**
 * Raised by a builtin when an operand has the wrong type (OPA's
 * `eval_type_error`, e.g. `operand 1 must be string but got number`).
 */
export class OperandTypeError extends Error {
  readonly code = "eval_type_error";
  constructor(message: string) {
    super(message);
    this.name = "OperandTypeError";
  }
}
