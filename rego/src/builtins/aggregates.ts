/** Aggregates: count, sum, product, max, min, sort, all, any; `in` as internal.member_2/3. */
import { compare, equal, isObject, isSet, type Value } from "../value.ts";
import * as N from "./numeric.ts";
import type { BuiltinTable, TypeSpec } from "./types.ts";
import {
  ANY,
  ARR,
  BOOL,
  collection,
  DEPRECATED,
  def,
  elementError,
  NUM,
  OBJ,
  runeCount,
  SET,
  STR,
  typeError,
} from "./util.ts";

const COLL: TypeSpec = { oneOf: [{ array: ANY }, { set: ANY }] };

function numbers(name: string, args: readonly Value[]): N.Num[] {
  return collection(name, args, 0).map((x) => {
    if (typeof x !== "number" && typeof x !== "bigint") {
      elementError(name, 1, args[0] as Value, x, "number");
    }
    return x;
  });
}

function extreme(name: string, args: readonly Value[], sign: number): Value | undefined {
  const items = collection(name, args, 0);
  let best: Value | undefined;
  for (const x of items) if (best === undefined || compare(x, best) * sign > 0) best = x;
  return best;
}

function booleans(name: string, args: readonly Value[]): Value[] {
  return [...collection(name, args, 0)];
}

function member(x: Value, coll: Value): boolean {
  if (Array.isArray(coll)) return (coll as readonly Value[]).some((y) => equal(x, y));
  if (isSet(coll)) return coll.has(x);
  if (isObject(coll)) {
    for (const y of coll.values()) if (equal(x, y)) return true;
  }
  return false;
}

function memberWithKey(k: Value, x: Value, coll: Value): boolean {
  if (Array.isArray(coll)) {
    const items = coll as readonly Value[];
    if (typeof k !== "number" && typeof k !== "bigint") return false;
    const i = Number(k);
    return Number.isInteger(i) && i >= 0 && i < items.length && equal(items[i]!, x);
  }
  if (isObject(coll)) {
    const y = coll.get(k);
    return y !== undefined && equal(y, x);
  }
  return false;
}

export const aggregateBuiltins: BuiltinTable = [
  def("count", [{ oneOf: [STR, ARR, OBJ, SET] }], NUM, (args) => {
    const v = args[0] as Value;
    if (typeof v === "string") return runeCount(v);
    if (Array.isArray(v)) return v.length;
    if (isSet(v) || isObject(v)) return v.size;
    return typeError("count", 1, "one of {array, object, set, string}", v as Value);
  }),
  def("sum", [COLL], NUM, (args) => numbers("sum", args).reduce<N.Num>(N.add, 0)),
  def("product", [COLL], NUM, (args) => numbers("product", args).reduce<N.Num>(N.mul, 1)),
  def("max", [COLL], ANY, (args) => extreme("max", args, 1)),
  def("min", [COLL], ANY, (args) => extreme("min", args, -1)),
  def("sort", [COLL], { array: ANY }, (args) => [...collection("sort", args, 0)].sort(compare)),
  def("all", [COLL], BOOL, (args) => booleans("all", args).every((x) => x === true), DEPRECATED),
  def("any", [COLL], BOOL, (args) => booleans("any", args).some((x) => x === true), DEPRECATED),
  def("internal.member_2", [ANY, ANY], BOOL, (args) => member(args[0] as Value, args[1] as Value)),
  def("internal.member_3", [ANY, ANY, ANY], BOOL, (args) =>
    memberWithKey(args[0] as Value, args[1] as Value, args[2] as Value),
  ),
];
