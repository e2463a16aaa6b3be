/** json.marshal/unmarshal/is_valid/marshal_with_options and yaml.marshal/unmarshal/is_valid. */
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { OperandTypeError } from "../errors.ts";
import { fromJSON, RObject, RSet, toJSON, typeName, type Value } from "../value.ts";
import { goJSON, goQuote } from "./crypto/bytes.ts";
import { isValidJson, JsonSyntaxError, parseJson } from "./crypto/json.ts";
import { norm } from "./numeric.ts";
import type { BuiltinTable } from "./types.ts";
import { ANY, BOOL, def, fail, OBJ, obj, STR, str } from "./util.ts";

/** Go's json.MarshalIndent, with OPA's prefix also before the first line. */
function prettyJSON(v: Value, prefix: string, indent: string, depth: number): string {
  const nl = (d: number) => `\n${prefix}${indent.repeat(d)}`;
  if (v instanceof RSet || Array.isArray(v)) {
    const items = v instanceof RSet ? v.sorted() : (v as readonly Value[]);
    if (items.length === 0) return "[]";
    const inner = items.map((x) => nl(depth + 1) + prettyJSON(x, prefix, indent, depth + 1));
    return `[${inner.join(",")}${nl(depth)}]`;
  }
  if (v instanceof RObject) {
    if (v.size === 0) return "{}";
    const entries = [...v.entries()]
      .map(([k, x]) => [typeof k === "string" ? k : goJSON(k), x] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const inner = entries.map(
      ([k, x]) => `${nl(depth + 1)}${goQuote(k)}: ${prettyJSON(x, prefix, indent, depth + 1)}`,
    );
    return `{${inner.join(",")}${nl(depth)}}`;
  }
  return goJSON(v);
}

function marshalWithOptions(args: readonly Value[]): string {
  const name = "json.marshal_with_options";
  const opts = obj(name, args, 1);
  let pretty: boolean | undefined;
  let prefix = "";
  let indent = "\t";
  for (const [k, v] of opts.entries()) {
    if (k === "pretty" && typeof v === "boolean") pretty = v;
    else if (k === "prefix" && typeof v === "string") prefix = v;
    else if (k === "indent" && typeof v === "string") indent = v;
    else if (k === "pretty" || k === "prefix" || k === "indent") {
      throw new OperandTypeError(
        `${name}: operand 2 ${String(k)} must be ${k === "pretty" ? "boolean" : "string"} but got ${typeName(v)}`,
      );
    } else {
      throw new OperandTypeError(
        `${name}: operand 2 object contained unknown key ${typeof k === "string" ? JSON.stringify(k) : goJSON(k)}`,
      );
    }
  }
  if (pretty === undefined) pretty = opts.has("prefix") || opts.has("indent");
  if (!pretty) return goJSON(args[0] as Value);
  return prefix + prettyJSON(args[0] as Value, prefix, indent, 0);
}

function unmarshalJSON(args: readonly Value[]): Value {
  try {
    return parseJson(str("json.unmarshal", args, 0));
  } catch (e) {
    if (e instanceof JsonSyntaxError) fail("json.unmarshal", e.message);
    throw e;
  }
}

/** libyaml's wording for the errors policies most often hit. */
function yamlMessage(e: unknown): string {
  const err = e as { message?: string; linePos?: { line: number }[] };
  const text = (err.message ?? String(e))
    .split("\n")[0]!
    .replace(/ at line \d+, column \d+:?$/, "");
  const line = err.linePos?.[0]?.line;
  let desc = text;
  if (/Flow sequence .*end with a \]/.test(text)) desc = "did not find expected ',' or ']'";
  else if (/Flow map .*end with a \}/.test(text)) desc = "did not find expected ',' or '}'";
  else if (/Nested mappings are not allowed/.test(text))
    desc = "mapping values are not allowed in this context";
  return line === undefined ? `yaml: ${desc}` : `yaml: line ${line}: ${desc}`;
}

function fromYaml(x: unknown): Value {
  if (typeof x === "bigint") return norm(x);
  // YAML 1.1 timestamps: Go's YAML-to-JSON conversion prints them as RFC 3339.
  if (x instanceof Date) return x.toISOString().replace(".000Z", "Z");
  if (x instanceof Map) {
    const o = new RObject();
    for (const [k, v] of x) o.set(typeof k === "string" ? k : String(k), fromYaml(v));
    return o;
  }
  if (Array.isArray(x)) return x.map(fromYaml);
  if (x !== null && typeof x === "object") {
    const o = new RObject();
    for (const [k, v] of Object.entries(x)) o.set(k, fromYaml(v));
    return o;
  }
  if (x === undefined) return null;
  return fromJSON(x);
}

function parseYamlValue(name: string, text: string): Value {
  try {
    return fromYaml(parseYaml(text, { version: "1.1", intAsBigInt: true, uniqueKeys: false }));
  } catch (e) {
    return fail(name, yamlMessage(e));
  }
}

export const jsonYamlBuiltins: BuiltinTable = [
  def("json.marshal", [ANY], STR, ([v]) => goJSON(v as Value)),
  def("json.marshal_with_options", [ANY, OBJ], STR, marshalWithOptions),
  def("json.unmarshal", [STR], ANY, unmarshalJSON),
  def("json.is_valid", [ANY], BOOL, ([v]) => typeof v === "string" && isValidJson(v)),
  def("yaml.marshal", [ANY], STR, ([v]) =>
    stringifyYaml(toJSON(v as Value), { version: "1.1", indentSeq: false, sortMapEntries: true }),
  ),
  def("yaml.unmarshal", [STR], ANY, (args) =>
    parseYamlValue("yaml.unmarshal", str("yaml.unmarshal", args, 0)),
  ),
  def("yaml.is_valid", [ANY], BOOL, ([v]) => {
    if (typeof v !== "string") return false;
    try {
      parseYaml(v, { version: "1.1", uniqueKeys: false });
      return true;
    } catch {
      return false;
    }
  }),
];
