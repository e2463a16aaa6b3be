/** Type predicates (is_*) and type_name. */
import { RObject, RSet, typeName, type Value } from "../value.ts";
import type { BuiltinTable } from "./types.ts";
import { ANY, BOOL, def, STR } from "./util.ts";

// the operand by index, not destructured: `([v]) =>` walks the array's iterator
const is = (name: string, test: (v: Value) => boolean) =>
  def(name, [ANY], BOOL, (args) => test(args[0] as Value));

export const typeBuiltins: BuiltinTable = [
  is("is_number", (v) => typeof v === "number" || typeof v === "bigint"),
  is("is_string", (v) => typeof v === "string"),
  is("is_boolean", (v) => typeof v === "boolean"),
  is("is_array", (v) => Array.isArray(v)),
  is("is_set", (v) => v instanceof RSet),
  is("is_object", (v) => v instanceof RObject),
  is("is_null", (v) => v === null),
  def("type_name", [ANY], STR, (args) => typeName(args[0] as Value)),
];
