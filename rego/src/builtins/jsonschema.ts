/**
 * json.verify_schema and json.match_schema: JSON Schema (draft 4–7 keywords)
 * with gojsonschema's error objects `{error, desc, field, type}`.
 */
import { BuiltinError } from "../errors.ts";
import { RObject, type Value } from "../value.ts";
import { goJSON } from "./crypto/bytes.ts";
import { JsonSyntaxError, parseJson } from "./crypto/json.ts";
import { errorsOf, SchemaError, TYPES } from "./jsonschema-validate.ts";
import type { BuiltinTable } from "./types.ts";
import { ANY, def, fail } from "./util.ts";

function jsonOperand(name: string, v: Value): Value {
  if (typeof v !== "string") return v;
  try {
    return parseJson(v);
  } catch (e) {
    if (e instanceof JsonSyntaxError) fail(name, e.message);
    throw e;
  }
}

function checkSchema(s: Value): void {
  if (typeof s === "boolean") return;
  if (!(s instanceof RObject)) throw new SchemaError("schema must be an object or a boolean");
  const t = s.get("type");
  for (const x of t === undefined ? [] : Array.isArray(t) ? (t as Value[]) : [t]) {
    if (typeof x !== "string" || !TYPES.includes(x)) {
      throw new SchemaError(
        `has a primitive type that is NOT VALID -- given: /${typeof x === "string" ? x : goJSON(x)}/ Expected valid values are:[${TYPES.join(" ")}]`,
      );
    }
  }
  for (const k of ["properties", "patternProperties", "definitions", "$defs", "dependencies"]) {
    const m = s.get(k);
    if (m instanceof RObject)
      for (const sub of m.values()) if (sub instanceof RObject) checkSchema(sub);
  }
  for (const k of [
    "items",
    "additionalItems",
    "additionalProperties",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
  ]) {
    const sub = s.get(k);
    if (Array.isArray(sub)) for (const x of sub as Value[]) checkSchema(x);
    else if (sub instanceof RObject) checkSchema(sub);
  }
  for (const k of ["allOf", "anyOf", "oneOf"]) {
    const subs = s.get(k);
    if (Array.isArray(subs)) for (const x of subs as Value[]) checkSchema(x);
  }
}

function schemaOperand(name: string, v: Value): Value {
  const s = jsonOperand(name, v);
  checkSchema(s);
  return s;
}

export const jsonSchemaBuiltins: BuiltinTable = [
  def("json.verify_schema", [ANY], { static: ["boolean", ANY] }, ([v]) => {
    try {
      schemaOperand("json.verify_schema", v as Value);
      return [true, null];
    } catch (e) {
      if (e instanceof SchemaError || e instanceof BuiltinError)
        return [false, `jsonschema: ${e.message}`];
      throw e;
    }
  }),
  def("json.match_schema", [ANY, ANY], { static: ["boolean", { array: ANY }] }, ([doc, schema]) => {
    const name = "json.match_schema";
    let s: Value;
    try {
      s = schemaOperand(name, schema as Value);
    } catch (e) {
      if (e instanceof SchemaError) fail(name, e.message);
      throw e;
    }
    const failures = errorsOf(jsonOperand(name, doc as Value), s, s);
    const errors = failures.map((f) =>
      RObject.fromRecord({
        error: `${f.field}: ${f.desc}`,
        desc: f.desc,
        field: f.field,
        type: f.type,
      }),
    );
    return [errors.length === 0, errors];
  }),
];
