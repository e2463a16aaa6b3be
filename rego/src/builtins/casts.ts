/** to_number and the deprecated cast_* builtins. */
import { OperandTypeError } from "../errors.ts";
import { RObject, RSet, type Value } from "../value.ts";
import { norm } from "./numeric.ts";
import type { BuiltinTable } from "./types.ts";
import { ANY, BOOL, DEPRECATED, def, fail, NUM, STR, typeError } from "./util.ts";

/** Go's strconv.ParseFloat syntax (decimal forms). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(inf|infinity|nan)$/i;

export function parseNumber(name: string, s: string): number | bigint {
  if (NON_FINITE.test(s)) {
    throw new OperandTypeError(`${name}: operand 1 must be a finite number but got ${s}`);
  }
  if (!DECIMAL.test(s))
    fail(name, `strconv.ParseFloat: parsing ${JSON.stringify(s)}: invalid syntax`);
  if (/^[+-]?\d+$/.test(s)) return norm(BigInt(s));
  const n = Number(s);
  if (!Number.isFinite(n))
    fail(name, `strconv.ParseFloat: parsing ${JSON.stringify(s)}: value out of range`);
  return n;
}

function toNumber([v]: readonly Value[]): Value {
  if (v === null) return 0;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number" || typeof v === "bigint") return v;
  if (typeof v === "string") return parseNumber("to_number", v);
  return typeError("to_number", 1, "one of {null, boolean, number, string}", v as Value);
}

export const castBuiltins: BuiltinTable = [
  def("to_number", [{ oneOf: ["null", BOOL, NUM, STR] }], NUM, toNumber),
  def(
    "cast_array",
    [ANY],
    { array: ANY },
    ([v]) => {
      if (Array.isArray(v)) return v as readonly Value[];
      if (v instanceof RSet) return v.sorted();
      return typeError("cast_array", 1, "one of {array, set}", v as Value);
    },
    DEPRECATED,
  ),
  def(
    "cast_set",
    [ANY],
    { set: ANY },
    ([v]) => {
      if (v instanceof RSet) return v;
      if (Array.isArray(v)) return new RSet(v as readonly Value[]);
      return typeError("cast_set", 1, "one of {array, set}", v as Value);
    },
    DEPRECATED,
  ),
  def(
    "cast_string",
    [ANY],
    ANY,
    ([v]) => (typeof v === "string" ? v : typeError("cast_string", 1, "string", v as Value)),
    DEPRECATED,
  ),
  def(
    "cast_boolean",
    [ANY],
    ANY,
    ([v]) => (typeof v === "boolean" ? v : typeError("cast_boolean", 1, "boolean", v as Value)),
    DEPRECATED,
  ),
  def(
    "cast_null",
    [ANY],
    ANY,
    ([v]) => (v === null ? v : typeError("cast_null", 1, "null", v as Value)),
    DEPRECATED,
  ),
  def(
    "cast_object",
    [ANY],
    ANY,
    ([v]) => (v instanceof RObject ? v : typeError("cast_object", 1, "object", v as Value)),
    DEPRECATED,
  ),
];
