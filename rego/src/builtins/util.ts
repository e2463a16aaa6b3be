/**
 * Shared operand checks for the builtin tables. Error messages follow OPA's
 * wording and carry the builtin's name as prefix (`count: operand 1 must be
 * ...`): the evaluator reports them as they are.
 */
import { BuiltinError, OperandTypeError } from "../errors.ts";
import { RObject, RSet, typeName, type Value } from "../value.ts";
import type { BuiltinContext, BuiltinDef, BuiltinFn, TypeSpec } from "./types.ts";

/** Declares a builtin in a table; keeps the tables one line per builtin. */
export function def(
  name: string,
  args: readonly TypeSpec[],
  result: TypeSpec,
  fn: BuiltinFn,
  extra?: Partial<Pick<BuiltinDef, "relation" | "nondeterministic" | "deprecated">>,
): BuiltinDef {
  return { name, args, result, fn, ...extra };
}

/** Marks a builtin OPA has deprecated (see `BuiltinDef.deprecated`). */
export const DEPRECATED = { deprecated: true } as const;

export const ANY: TypeSpec = "any";
export const STR: TypeSpec = "string";
export const NUM: TypeSpec = "number";
export const BOOL: TypeSpec = "boolean";
export const ARR: TypeSpec = { array: "any" };
export const SET: TypeSpec = { set: "any" };
export const OBJ: TypeSpec = { object: ["any", "any"] };
export const STRS: TypeSpec = { array: "string" };

export function typeError(name: string, pos: number, expected: string, got: Value): never {
  throw new OperandTypeError(
    `${name}: operand ${pos} must be ${expected} but got ${typeName(got)}`,
  );
}

export function fail(name: string, message: string): never {
  throw new BuiltinError(`${name}: ${message}`);
}

export function str(name: string, args: readonly Value[], i: number): string {
  const v = args[i] as Value;
  if (typeof v !== "string") typeError(name, i + 1, "string", v);
  return v;
}

export function num(name: string, args: readonly Value[], i: number): number | bigint {
  const v = args[i] as Value;
  if (typeof v !== "number" && typeof v !== "bigint") typeError(name, i + 1, "number", v);
  return v;
}

/** A number that must be an integer (OPA: "integer number but got floating-point number"). */
export function int(name: string, args: readonly Value[], i: number): number | bigint {
  const v = num(name, args, i);
  if (typeof v === "number" && !Number.isInteger(v)) {
    throw new OperandTypeError(
      `${name}: operand ${i + 1} must be integer number but got floating-point number`,
    );
  }
  return v;
}

/** An integer that fits a JS number (indices, counts). */
export function smallInt(name: string, args: readonly Value[], i: number): number {
  return Number(int(name, args, i));
}

export function arr(name: string, args: readonly Value[], i: number): readonly Value[] {
  const v = args[i] as Value;
  if (!Array.isArray(v)) typeError(name, i + 1, "array", v);
  return v as readonly Value[];
}

export function obj(name: string, args: readonly Value[], i: number): RObject {
  const v = args[i] as Value;
  if (!(v instanceof RObject)) typeError(name, i + 1, "object", v);
  return v;
}

export function set(name: string, args: readonly Value[], i: number): RSet {
  const v = args[i] as Value;
  if (!(v instanceof RSet)) typeError(name, i + 1, "set", v);
  return v;
}

export function bool(name: string, args: readonly Value[], i: number): boolean {
  const v = args[i] as Value;
  if (typeof v !== "boolean") typeError(name, i + 1, "boolean", v);
  return v;
}

/** Elements of an array or a set (sets in OPA's order). */
export function collection(name: string, args: readonly Value[], i: number): readonly Value[] {
  const v = args[i] as Value;
  if (Array.isArray(v)) return v as readonly Value[];
  if (v instanceof RSet) return v.sorted();
  return typeError(name, i + 1, "one of {set, array}", v);
}

/** OPA's element error: `operand 1 must be array of numbers but got array containing string`. */
export function elementError(
  name: string,
  pos: number,
  composite: Value,
  got: Value,
  expected: string,
): never {
  const tpe = typeName(composite);
  throw new OperandTypeError(
    `${name}: operand ${pos} must be ${tpe} of ${expected}s but got ${tpe} containing ${typeName(got)}`,
  );
}

/** Strings of an array or set of strings, for e.g. `concat`. */
export function strings(name: string, args: readonly Value[], i: number): string[] {
  const items = collection(name, args, i);
  return items.map((x) => {
    if (typeof x !== "string") elementError(name, i + 1, args[i] as Value, x, "string");
    return x;
  });
}

/** Memoises `make(key)` in the per-query cache. */
export function cached<T>(ctx: BuiltinContext, key: string, make: () => T): T {
  if (ctx.cache.has(key)) return ctx.cache.get(key) as T;
  const v = make();
  ctx.cache.set(key, v);
  return v;
}

/** Number of Unicode code points (OPA counts runes). */
export function runeCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Bytes to a string; invalid UTF-8 becomes U+FFFD as Go's string conversion shows it. */
export function fromUtf8(b: Uint8Array): string {
  return decoder.decode(b);
}
