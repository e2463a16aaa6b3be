/**
 * JSON Schema validation (draft 4–7 keywords) producing gojsonschema's
 * failures: a field path, a type such as `invalid_type`, a description.
 */
import { equal, RObject, RSet, type Value } from "../value.ts";
import { goJSON } from "./crypto/bytes.ts";
import { formatNumber } from "./format.ts";
import { compileRe2 } from "./regex.ts";

export const TYPES = ["array", "boolean", "integer", "number", "null", "object", "string"];

export class SchemaError extends Error {}

export interface Failure {
  field: string;
  type: string;
  desc: string;
}

const get = (s: Value, k: string): Value | undefined =>
  s instanceof RObject ? s.get(k) : undefined;

function typeOf(v: Value): string {
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  if (typeof v === "bigint") return "integer";
  if (Array.isArray(v) || v instanceof RSet) return "array";
  return v === null ? "null" : v instanceof RObject ? "object" : typeof v;
}

/** Checks the schema itself: every `type` names a JSON type, subschemas recursively. */
function resolveRef(root: Value, ref: string): Value {
  if (ref === "#") return root;
  if (!ref.startsWith("#/")) throw new SchemaError(`unsupported $ref ${ref}`);
  let cur: Value | undefined = root;
  for (const raw of ref.slice(2).split("/")) {
    const seg = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    cur = Array.isArray(cur) ? (cur as Value[])[Number(seg)] : get(cur as Value, seg);
    if (cur === undefined) throw new SchemaError(`unresolvable $ref ${ref}`);
  }
  return cur;
}

const fieldOf = (path: string[]) => (path.length === 0 ? "(root)" : path.join("."));
const show = (v: Value) => (typeof v === "string" ? v : goJSON(v));

function validate(v: Value, s: Value, root: Value, path: string[], out: Failure[]): void {
  if (s === true || s === undefined) return;
  const add = (type: string, desc: string, at = path) =>
    out.push({ field: fieldOf(at), type, desc });
  if (s === false) {
    add("false", "False always fails validation");
    return;
  }
  if (!(s instanceof RObject)) return;
  const ref = s.get("$ref");
  if (typeof ref === "string") {
    validate(v, resolveRef(root, ref), root, path, out);
    return;
  }
  const t = s.get("type");
  if (t !== undefined) {
    const allowed = Array.isArray(t) ? (t as string[]) : [t as string];
    const actual = typeOf(v);
    if (!allowed.some((a) => a === actual || (a === "number" && actual === "integer"))) {
      add("invalid_type", `Invalid type. Expected: ${allowed.join(", ")}, given: ${actual}`);
      return;
    }
  }
  const en = s.get("enum");
  if (Array.isArray(en) && !(en as Value[]).some((x) => equal(x, v))) {
    add(
      "enum",
      `${fieldOf(path)} must be one of the following: ${(en as Value[]).map(goJSON).join(", ")}`,
    );
  }
  const cn = s.get("const");
  if (cn !== undefined && !equal(cn, v))
    add("const", `${fieldOf(path)} does not match: ${goJSON(cn)}`);
  if (typeof v === "string") stringChecks(v, s, add);
  if (typeof v === "number" || typeof v === "bigint") numberChecks(Number(v), s, add);
  if (Array.isArray(v) || v instanceof RSet)
    arrayChecks(Array.isArray(v) ? (v as Value[]) : v.sorted(), s, root, path, out, add);
  if (v instanceof RObject) objectChecks(v, s, root, path, out, add);
  combinators(v, s, root, path, out, add);
}

type Add = (type: string, desc: string, at?: string[]) => void;

function stringChecks(v: string, s: RObject, add: Add): void {
  const len = [...v].length;
  const min = s.get("minLength");
  const max = s.get("maxLength");
  if (typeof min === "number" && len < min)
    add("string_gte", `String length must be greater than or equal to ${min}`);
  if (typeof max === "number" && len > max)
    add("string_lte", `String length must be less than or equal to ${max}`);
  const pat = s.get("pattern");
  if (typeof pat === "string") {
    const re = compileRe2(pat);
    re.lastIndex = 0;
    if (!re.test(v)) add("pattern", `Does not match pattern '${pat}'`);
  }
}

function numberChecks(v: number, s: RObject, add: Add): void {
  const n = (k: string) => {
    const x = s.get(k);
    return typeof x === "number" || typeof x === "bigint" ? Number(x) : undefined;
  };
  const [min, max, xmin, xmax, mult] = [
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
  ].map(n);
  const f = (x: number) => formatNumber(x);
  if (min !== undefined) {
    if (s.get("exclusiveMinimum") === true ? v <= min : v < min) {
      add(
        s.get("exclusiveMinimum") === true ? "number_gt" : "number_gte",
        `Must be greater than${s.get("exclusiveMinimum") === true ? "" : " or equal to"} ${f(min)}`,
      );
    }
  }
  if (max !== undefined) {
    if (s.get("exclusiveMaximum") === true ? v >= max : v > max) {
      add(
        s.get("exclusiveMaximum") === true ? "number_lt" : "number_lte",
        `Must be less than${s.get("exclusiveMaximum") === true ? "" : " or equal to"} ${f(max)}`,
      );
    }
  }
  if (xmin !== undefined && v <= xmin) add("number_gt", `Must be greater than ${f(xmin)}`);
  if (xmax !== undefined && v >= xmax) add("number_lt", `Must be less than ${f(xmax)}`);
  if (mult !== undefined && mult > 0 && !Number.isInteger(v / mult))
    add("multiple_of", `Must be a multiple of ${f(mult)}`);
}

function arrayChecks(
  v: Value[],
  s: RObject,
  root: Value,
  path: string[],
  out: Failure[],
  add: Add,
): void {
  const min = s.get("minItems");
  const max = s.get("maxItems");
  if (typeof min === "number" && v.length < min)
    add("array_min_items", `Array must have at least ${min} items`);
  if (typeof max === "number" && v.length > max)
    add("array_max_items", `Array must have at most ${max} items`);
  if (s.get("uniqueItems") === true) {
    for (let i = 0; i < v.length; i++) {
      for (let j = i + 1; j < v.length; j++) {
        if (equal(v[i]!, v[j]!)) add("unique", `array items[${i},${j}] must be unique`);
      }
    }
  }
  const items = s.get("items");
  if (Array.isArray(items)) {
    const tuple = items as Value[];
    v.forEach((x, i) => {
      if (i < tuple.length) validate(x, tuple[i]!, root, [...path, String(i)], out);
      else {
        const extra = s.get("additionalItems");
        if (extra === false)
          add("array_no_additional_items", "No additional items allowed on array");
        else if (extra instanceof RObject) validate(x, extra, root, [...path, String(i)], out);
      }
    });
  } else if (items !== undefined) {
    v.forEach((x, i) => {
      validate(x, items, root, [...path, String(i)], out);
    });
  }
  const contains = s.get("contains");
  if (contains !== undefined && !v.some((x) => errorsOf(x, contains, root).length === 0)) {
    add("contains", "At least one of the items must match");
  }
}

function objectChecks(
  v: RObject,
  s: RObject,
  root: Value,
  path: string[],
  out: Failure[],
  add: Add,
): void {
  const req = s.get("required");
  if (Array.isArray(req))
    for (const k of req as Value[]) if (!v.has(k)) add("required", `${show(k)} is required`);
  const props = s.get("properties");
  const patterns = s.get("patternProperties");
  const extra = s.get("additionalProperties");
  const min = s.get("minProperties");
  const max = s.get("maxProperties");
  if (typeof min === "number" && v.size < min)
    add("array_min_properties", `Must have at least ${min} properties`);
  if (typeof max === "number" && v.size > max)
    add("array_max_properties", `Must have at most ${max} properties`);
  for (const [k, x] of v.sortedEntries()) {
    const key = show(k);
    let matched = false;
    const ps = props instanceof RObject ? props.get(k) : undefined;
    if (ps !== undefined) {
      matched = true;
      validate(x, ps, root, [...path, key], out);
    }
    if (patterns instanceof RObject) {
      for (const [p, ps2] of patterns.entries()) {
        const re = compileRe2(String(p));
        re.lastIndex = 0;
        if (re.test(key)) {
          matched = true;
          validate(x, ps2, root, [...path, key], out);
        }
      }
    }
    if (!matched) {
      if (extra === false)
        add("additional_property_not_allowed", `Additional property ${key} is not allowed`);
      else if (extra instanceof RObject) validate(x, extra, root, [...path, key], out);
    }
    const names = s.get("propertyNames");
    if (names !== undefined && errorsOf(k, names, root).length > 0) {
      add("invalid_property_name", `Property "${key}" does not match the schema`);
    }
  }
  const deps = s.get("dependencies");
  if (deps instanceof RObject) {
    for (const [k, d] of deps.entries()) {
      if (!v.has(k)) continue;
      if (Array.isArray(d)) {
        for (const r of d as Value[])
          if (!v.has(r)) add("missing_dependency", `Has a dependency on ${show(r)}`);
      } else validate(v, d, root, path, out);
    }
  }
}

export function errorsOf(v: Value, s: Value, root: Value): Failure[] {
  const out: Failure[] = [];
  validate(v, s, root, [], out);
  return out;
}

function combinators(
  v: Value,
  s: RObject,
  root: Value,
  path: string[],
  out: Failure[],
  add: Add,
): void {
  const list = (k: string) => (Array.isArray(s.get(k)) ? (s.get(k) as Value[]) : undefined);
  const all = list("allOf");
  if (all) {
    const before = out.length;
    for (const x of all) validate(v, x, root, path, out);
    if (out.length > before) add("number_all_of", "Must validate all the schemas (allOf)");
  }
  const any = list("anyOf");
  if (any && !any.some((x) => errorsOf(v, x, root).length === 0)) {
    add("number_any_of", "Must validate at least one schema (anyOf)");
  }
  const one = list("oneOf");
  if (one && one.filter((x) => errorsOf(v, x, root).length === 0).length !== 1) {
    add("number_one_of", "Must validate one and only one schema (oneOf)");
  }
  const not = s.get("not");
  if (not !== undefined && errorsOf(v, not, root).length === 0)
    add("number_not", "Must not validate the schema (not)");
  const cond = s.get("if");
  if (cond !== undefined) {
    const branch = errorsOf(v, cond, root).length === 0 ? s.get("then") : s.get("else");
    if (branch !== undefined) validate(v, branch, root, path, out);
  }
}
