/** The `graphql.*` builtins, with gqlparser's (and so OPA's) AST shape and checks. */
import { BuiltinError, OperandTypeError } from "../../errors.ts";
import { RObject, typeName as regoTypeName, type Value } from "../../value.ts";
import { stringOperand } from "../crypto/bytes.ts";
import { named } from "../crypto/named.ts";
import type { BuiltinDef, BuiltinTable, TypeSpec } from "../types.ts";
import { documentToRego, queryFromRego, schemaFromRego } from "./convert.ts";
import { GqlError } from "./lexer.ts";
import type { Node } from "./parser.ts";
import { PRELUDE } from "./prelude.ts";
import { parseQuery } from "./query.ts";
import { buildSchema, type Schema } from "./schema.ts";
import { parseSchema } from "./sdl.ts";
import { validateQuery } from "./validate.ts";

function parseFailed(e: unknown): never {
  if (e instanceof GqlError) {
    throw new BuiltinError(`${e.message} in GraphQL string at location ${e.line}:${e.column}`);
  }
  throw e;
}

function queryDoc(v: Value, pos: number): Node {
  if (typeof v === "string") {
    try {
      return parseQuery(v);
    } catch (e) {
      parseFailed(e);
    }
  }
  if (v instanceof RObject) return queryFromRego(v);
  throw new OperandTypeError(
    `operand ${pos} must be one of {string, object} but got ${regoTypeName(v)}`,
  );
}

function schemaDoc(v: Value, pos: number): Node {
  if (typeof v === "string") {
    try {
      return parseSchema(v);
    } catch (e) {
      parseFailed(e);
    }
  }
  if (v instanceof RObject) return schemaFromRego(v);
  throw new OperandTypeError(
    `operand ${pos} must be one of {string, object} but got ${regoTypeName(v)}`,
  );
}

let prelude: Node | undefined;

function location(e: GqlError): string {
  return e.line > 0 ? `input:${e.line}:${e.column}: ` : "input: ";
}

/** The schema merged with the prelude; throws OPA's conversion error. */
function toSchema(doc: Node): Schema {
  prelude ??= parseSchema(PRELUDE);
  const base = structuredClone(prelude);
  for (const d of [...(base.Definitions ?? []), ...(base.Extensions ?? [])]) d.BuiltIn = true;
  const merged: Node = {};
  for (const k of ["Schema", "SchemaExtension", "Directives", "Definitions", "Extensions"]) {
    merged[k] = [...(base[k] ?? []), ...(structuredClone(doc[k]) ?? [])];
  }
  try {
    return buildSchema(merged);
  } catch (e) {
    if (!(e instanceof GqlError)) throw e;
    throw new BuiltinError(
      `Error in gqlparser SchemaDocument to Schema conversion: ${location(e)}${e.message}`,
    );
  }
}

/**
 * Built schemas by schema text: building is pure, and policies tend to check
 * many queries against one schema. Validation only reads a schema.
 */
const schemaCache = new Map<string, Schema | BuiltinError>();
const SCHEMA_CACHE_SIZE = 32;

function schemaFor(v: Value, doc: Node | undefined): Schema {
  if (typeof v !== "string") return toSchema(doc ?? schemaDoc(v, 2));
  let hit = schemaCache.get(v);
  if (hit === undefined) {
    try {
      hit = toSchema(doc ?? schemaDoc(v, 2));
    } catch (e) {
      if (!(e instanceof BuiltinError)) throw e;
      hit = e;
    }
    if (schemaCache.size >= SCHEMA_CACHE_SIZE) schemaCache.delete(schemaCache.keys().next().value!);
    schemaCache.set(v, hit);
  }
  if (hit instanceof BuiltinError) throw hit;
  return hit;
}

function validate(schema: Schema, doc: Node): void {
  try {
    validateQuery(schema, doc);
  } catch (e) {
    if (!(e instanceof GqlError)) throw e;
    const msg = e.message.replace(/\.$/, "");
    throw new BuiltinError(`${msg} in GraphQL string at location ${e.line}:${e.column}`);
  }
}

/** Parse both documents (query first, as OPA) and validate; the ASTs when `output`. */
function parseBoth(args: readonly Value[], output = true): [Value, Value] | undefined {
  const q = queryDoc(args[0]!, 1);
  const sv = args[1]!;
  const known = typeof sv === "string" && schemaCache.has(sv);
  const s = known && !output ? undefined : schemaDoc(sv, 2);
  const out: [Value, Value] | undefined = output
    ? [documentToRego(q), documentToRego(s!)]
    : undefined;
  validate(schemaFor(sv, s), q);
  return out;
}

function succeeds(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch (e) {
    if (e instanceof BuiltinError || e instanceof OperandTypeError) return false;
    throw e;
  }
}

const OBJ: TypeSpec = { object: ["any", "any"] };
const STR_OR_OBJ: TypeSpec = { oneOf: ["string", OBJ] };

const defs: BuiltinDef[] = [
  {
    name: "graphql.parse_query",
    args: ["string"],
    result: OBJ,
    fn: (args) => documentToRego(queryDoc(stringOperand(args, 0), 1)),
  },
  {
    name: "graphql.parse_schema",
    args: ["string"],
    result: OBJ,
    fn: (args) => documentToRego(schemaDoc(stringOperand(args, 0), 1)),
  },
  {
    name: "graphql.parse",
    args: [STR_OR_OBJ, STR_OR_OBJ],
    result: { static: [OBJ, OBJ] },
    fn: (args) => parseBoth(args)!,
  },
  {
    name: "graphql.parse_and_verify",
    args: [STR_OR_OBJ, STR_OR_OBJ],
    result: { static: ["boolean", OBJ, OBJ] },
    fn: (args) => {
      let out: [Value, Value] | undefined;
      if (!succeeds(() => (out = parseBoth(args))) || !out) {
        return [false, new RObject(), new RObject()];
      }
      return [true, out[0], out[1]];
    },
  },
  {
    name: "graphql.is_valid",
    args: [STR_OR_OBJ, STR_OR_OBJ],
    result: "boolean",
    fn: (args) => succeeds(() => parseBoth(args, false)),
  },
  {
    name: "graphql.schema_is_valid",
    args: [STR_OR_OBJ],
    result: "boolean",
    fn: (args) => succeeds(() => schemaFor(args[0]!, undefined)),
  },
];

export const graphqlBuiltins: BuiltinTable = named(defs);
