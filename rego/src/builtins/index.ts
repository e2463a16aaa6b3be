/**
 * Every builtin the engine knows, by full dotted name.
 *
 * Contract with the evaluator:
 * - `fn(args, ctx)` returns a value or `undefined` (no value);
 * - errors are thrown as `OperandTypeError` (eval_type_error) or
 *   `BuiltinError` (eval_builtin_error); their messages already start with
 *   the builtin's name (`count: operand 1 must be ...`), so report them as
 *   they are;
 * - relations (`walk`) set `relation` and yield every output;
 * - `nondeterministic` builtins (time, random) must not be constant-folded;
 *   `deprecated` ones are rejected in v1 modules (see `BuiltinDef`).
 *
 * @example
 * const count = getBuiltin("count");
 * count?.fn([[1, 2, 3]], ctx); // 3
 */
import { aggregateBuiltins } from "./aggregates.ts";
import { arrayBuiltins } from "./arrays.ts";
import { awsBuiltins } from "./aws/index.ts";
import { bitBuiltins } from "./bits.ts";
import { castBuiltins } from "./casts.ts";
import { cryptoHashBuiltins } from "./crypto/hashes.ts";
import { encodingBuiltins } from "./encoding.ts";
import { globBuiltins } from "./glob.ts";
import { graphqlBuiltins } from "./graphql/index.ts";
import { graphBuiltins } from "./graph.ts";
import { jsonPatchBuiltins } from "./json-patch.ts";
import { jsonPathBuiltins } from "./json-paths.ts";
import { jsonSchemaBuiltins } from "./jsonschema.ts";
import { jsonYamlBuiltins } from "./json-yaml.ts";
import { jwtBuiltins } from "./jwt/index.ts";
import { netBuiltins } from "./net.ts";
import { numberBuiltins } from "./numbers.ts";
import { objectBuiltins } from "./objects.ts";
import { operatorBuiltins } from "./operators.ts";
import { regexBuiltins } from "./regex.ts";
import { semverBuiltins } from "./semver.ts";
import { setBuiltins } from "./sets.ts";
import { stringBuiltins } from "./strings.ts";
import { templateBuiltins } from "./template.ts";
import { templateStringBuiltins } from "./template-string.ts";
import { timeBuiltins } from "./time.ts";
import { typeBuiltins } from "./type-checks.ts";
import { unitBuiltins } from "./units.ts";
import { uuidBuiltins } from "./uuid.ts";
import { x509Builtins } from "./x509/index.ts";
import type { BuiltinDef, BuiltinTable } from "./types.ts";

const tables: readonly BuiltinTable[] = [
  operatorBuiltins,
  numberBuiltins,
  aggregateBuiltins,
  arrayBuiltins,
  setBuiltins,
  objectBuiltins,
  jsonPathBuiltins,
  jsonPatchBuiltins,
  stringBuiltins,
  typeBuiltins,
  castBuiltins,
  unitBuiltins,
  bitBuiltins,
  uuidBuiltins,
  semverBuiltins,
  regexBuiltins,
  globBuiltins,
  encodingBuiltins,
  jsonYamlBuiltins,
  netBuiltins,
  timeBuiltins,
  graphBuiltins,
  templateStringBuiltins,
  templateBuiltins,
  jsonSchemaBuiltins,
  cryptoHashBuiltins,
  jwtBuiltins,
  graphqlBuiltins,
  awsBuiltins,
  x509Builtins,
];

function index(all: readonly BuiltinTable[]): ReadonlyMap<string, BuiltinDef> {
  const out = new Map<string, BuiltinDef>();
  for (const b of all.flat()) {
    // Two tables defining one name is a wiring mistake, not a runtime condition.
    if (out.has(b.name)) throw new Error(`builtin ${b.name} is defined twice`);
    out.set(b.name, b);
  }
  return out;
}

export const builtins: ReadonlyMap<string, BuiltinDef> = index(tables);

export function getBuiltin(name: string): BuiltinDef | undefined {
  return builtins.get(name);
}

/** Infix operators and the builtin each one calls. */
export const operatorNames: Readonly<Record<string, string>> = {
  "==": "equal",
  "!=": "neq",
  "<": "lt",
  ">": "gt",
  "<=": "lte",
  ">=": "gte",
  "+": "plus",
  "-": "minus",
  "*": "mul",
  "/": "div",
  "%": "rem",
  "&": "and",
  "|": "or",
};

export { formatRaw, formatValue } from "./format.ts";
export type { BuiltinContext, BuiltinDef, BuiltinTable } from "./types.ts";
