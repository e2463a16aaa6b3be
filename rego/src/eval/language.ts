import { moduleJSON } from "../ast/json.ts";
import { HTTP_REQUEST_KEYS } from "../builtins/http-request-keys.ts";
import { BuiltinError, OperandTypeError, RegoError } from "../errors.ts";
import { parseModule } from "../parser/module.ts";
import { fromJSON, RObject, typeName } from "../value.ts";
import type { CallFn } from "./types.ts";

const runtime: CallFn = (_q, _args, k) => k(new RObject());

const quotedSet = (xs: string[]) =>
  `{${xs
    .sort()
    .map((x) => JSON.stringify(x))
    .join(", ")}}`;

/**
 * `http.send` checks its request like OPA, so policies compile and tests can
 * mock it, but never sends: a policy engine in a Worker makes no calls.
 */
const httpSend: CallFn = (_q, [req]) => {
  if (!(req instanceof RObject)) {
    throw new OperandTypeError(
      `http.send: operand 1 must be object but got ${typeName(req ?? null)}`,
    );
  }
  const keys = [...req.keys()].map(String);
  const invalid = keys.filter((k) => !HTTP_REQUEST_KEYS.has(k));
  if (invalid.length)
    throw new OperandTypeError(`http.send: invalid request parameters(s): ${quotedSet(invalid)}`);
  const missing = ["method", "url"].filter((k) => !req.has(k));
  if (missing.length) {
    throw new OperandTypeError(
      `http.send: missing required request parameters(s): ${quotedSet(missing)}`,
    );
  }
  throw new BuiltinError("http.send: network requests are not supported by this engine");
};

/** Builtins that belong to the language rather than the library. */
/** `rego.parse_module(file, source)`: the module's AST as JSON, like OPA. */
const parseModuleBuiltin: CallFn = (_q, [file, source], k) => {
  if (typeof file !== "string")
    throw new OperandTypeError(
      `rego.parse_module: operand 1 must be string but got ${typeName(file ?? null)}`,
    );
  if (typeof source !== "string")
    throw new OperandTypeError(
      `rego.parse_module: operand 2 must be string but got ${typeName(source ?? null)}`,
    );
  let m: ReturnType<typeof parseModule>;
  try {
    m = parseModule(source, file);
  } catch (e) {
    throw new BuiltinError(
      `rego.parse_module: ${e instanceof RegoError ? e.render(source) : String(e)}`,
    );
  }
  return k(fromJSON(moduleJSON(m)));
};

export interface LanguageBuiltin {
  readonly arity: number;
  readonly call: CallFn;
  /** Has effects or depends on more than its operands. */
  readonly impure?: boolean;
}

export const languageBuiltins: ReadonlyMap<string, LanguageBuiltin> = new Map<
  string,
  LanguageBuiltin
>([
  ["opa.runtime", { arity: 0, call: runtime }],
  // tracing is a debugging aid: accepted, always true, no output
  ["trace", { arity: 1, call: (_q, _args, k) => k(true) }],
  ["http.send", { arity: 1, call: httpSend, impure: true }],
  ["rego.parse_module", { arity: 2, call: parseModuleBuiltin }],
]);
