/** Object builtins: object.get/keys/remove/union/union_n/filter/subset. */
import { OperandTypeError } from "../errors.ts";
import { equal, RObject, RSet, typeName, type Value } from "../value.ts";
import type { BuiltinTable, TypeSpec } from "./types.ts";
import { ANY, arr, BOOL, def, OBJ, obj, typeError } from "./util.ts";

const KEYS: TypeSpec = { oneOf: [{ array: ANY }, { set: ANY }, OBJ] };

/** Keys named by an array, a set or an object's keys. */
function keyList(name: string, args: readonly Value[], i: number): Value[] {
  const v = args[i] as Value;
  if (Array.isArray(v)) return [...(v as readonly Value[])];
  if (v instanceof RSet) return [...v];
  if (v instanceof RObject) return [...v.keys()];
  return typeError(name, i + 1, "one of {object, set, array}", v);
}

function get(args: readonly Value[]): Value {
  const o = obj("object.get", args, 0);
  const key = args[1] as Value;
  const fallback = args[2] as Value;
  if (!Array.isArray(key)) return o.get(key) ?? fallback;
  let cur: Value = o;
  for (const k of key as readonly Value[]) {
    if (cur instanceof RObject) {
      const next: Value | undefined = cur.get(k);
      if (next === undefined) return fallback;
      cur = next;
    } else if (Array.isArray(cur) && (typeof k === "number" || typeof k === "bigint")) {
      const next: Value | undefined = (cur as readonly Value[])[Number(k)];
      if (next === undefined || !Number.isInteger(Number(k))) return fallback;
      cur = next;
    } else if (cur instanceof RSet && cur.has(k)) {
      cur = k;
    } else return fallback;
  }
  return cur;
}

/** Deep merge: nested objects merge, anything else from `b` wins. */
export function union(a: RObject, b: RObject): RObject {
  const out = new RObject(a.entries());
  for (const [k, v] of b.entries()) {
    const old = out.get(k);
    out.set(k, old instanceof RObject && v instanceof RObject ? union(old, v) : v);
  }
  return out;
}

/** Whether `sub` is contained in `sup` (OPA's object.subset, recursive). */
function isSubset(sup: Value, sub: Value): boolean {
  if (sup instanceof RObject && sub instanceof RObject) {
    for (const [k, v] of sub.entries()) {
      const w = sup.get(k);
      if (w === undefined || !isSubset(w, v)) return false;
    }
    return true;
  }
  if (sup instanceof RSet && sub instanceof RSet) return [...sub].every((x) => sup.has(x));
  if (Array.isArray(sup) && sub instanceof RSet) {
    return [...sub].every((x) => (sup as readonly Value[]).some((y) => equal(x, y)));
  }
  if (Array.isArray(sup) && Array.isArray(sub)) {
    const a = sup as readonly Value[];
    const b = sub as readonly Value[];
    if (b.length === 0) return true;
    for (let i = 0; i + b.length <= a.length; i++) {
      if (b.every((x, j) => equal(a[i + j]!, x))) return true;
    }
    return false;
  }
  return equal(sup, sub);
}

function subset(args: readonly Value[]): boolean {
  const [sup, sub] = args as [Value, Value];
  const ok =
    (sup instanceof RObject && sub instanceof RObject) ||
    (sup instanceof RSet && sub instanceof RSet) ||
    (Array.isArray(sup) && (Array.isArray(sub) || sub instanceof RSet));
  if (!ok) {
    if (!(sup instanceof RObject || sup instanceof RSet || Array.isArray(sup))) {
      typeError("object.subset", 1, "one of {object, array, set}", sup);
    }
    throw new OperandTypeError(
      `object.subset: both arguments must be objects, sets, or arrays (or an array and a set) but got ${typeName(sup)} and ${typeName(sub)}`,
    );
  }
  return isSubset(sup, sub);
}

export const objectBuiltins: BuiltinTable = [
  def("object.get", [OBJ, ANY, ANY], ANY, get),
  def("object.keys", [OBJ], { set: ANY }, (args) => new RSet(obj("object.keys", args, 0).keys())),
  def("object.remove", [OBJ, KEYS], OBJ, (args) => {
    const o = obj("object.remove", args, 0);
    const drop = new RSet(keyList("object.remove", args, 1));
    return new RObject([...o.entries()].filter(([k]) => !drop.has(k)));
  }),
  def("object.filter", [OBJ, KEYS], OBJ, (args) => {
    const o = obj("object.filter", args, 0);
    const keep = new RSet(keyList("object.filter", args, 1));
    return new RObject([...o.entries()].filter(([k]) => keep.has(k)));
  }),
  def("object.union", [OBJ, OBJ], OBJ, (args) =>
    union(obj("object.union", args, 0), obj("object.union", args, 1)),
  ),
  def("object.union_n", [{ array: OBJ }], OBJ, (args) => {
    const items = arr("object.union_n", args, 0);
    let out = new RObject();
    for (const x of items) {
      if (!(x instanceof RObject)) {
        throw new OperandTypeError(
          `object.union_n: operand 1 must be array of objects but got array containing ${typeName(x)}`,
        );
      }
      out = union(out, x);
    }
    return out;
  }),
  def("object.subset", [ANY, ANY], BOOL, subset),
];
