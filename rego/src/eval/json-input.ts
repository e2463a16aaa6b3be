import type { RecordReader } from "./types.ts";
import { KIND_JSON, KIND_OBJECT, kindOf, RObject, RSet, VALUE_KIND, type Value } from "../value.ts";

/**
 * Rego values of the JSON objects and arrays of one input, by the JSON
 * value they were made from: each is converted once per input, and reads
 * of the same member give the same value.
 */
type Converted = Map<object, Value>;

/**
 * Own-member test. Called directly rather than through `Object.hasOwn`,
 * which V8 implements as a builtin that calls this one.
 */
const hasOwn = Object.prototype.hasOwnProperty;

/**
 * A JSON object seen as an RObject without converting it up front: members
 * are converted when read. Inputs are usually read sparsely (a decision
 * touches a few fields), so this avoids building a Map per object per query.
 * Any mutation first converts everything, so it behaves as a plain RObject.
 */
export class JsonObject extends RObject {
  #record: Record<string, unknown> | undefined;
  /** Shared by every object of one input; made when the first member needs converting. */
  #converted: Converted | undefined;
  #keys: string[] | undefined;

  constructor(record: Record<string, unknown>, converted?: Converted) {
    super();
    this.#record = record;
    this.#converted = converted;
  }

  #convert(raw: unknown): Value | undefined {
    // like JSON.stringify: a member set to `undefined` is absent
    if (raw === undefined) return undefined;
    // scalars convert to themselves: no need to keep them
    if (raw === null || typeof raw !== "object") return lazyJSON(raw);
    this.#converted ??= new Map();
    const converted = this.#converted;
    let v = converted.get(raw);
    if (v === undefined) {
      v = lazyJSON(raw, converted);
      converted.set(raw, v);
    }
    return v;
  }

  #member(key: string): Value | undefined {
    const rec = this.#record!;
    return hasOwn.call(rec, key) ? this.#convert(rec[key]) : undefined;
  }

  #names(): string[] {
    const rec = this.#record!;
    this.#keys ??= Object.keys(rec).filter((k) => rec[k] !== undefined);
    return this.#keys;
  }

  /** Converts every member into the base RObject storage and drops the record. */
  #materialize(): void {
    if (!this.#record) return;
    const entries = this.#names().map((k) => [k, this.#member(k)!] as const);
    this.#record = undefined;
    for (const [k, v] of entries) super.set(k, v);
  }

  /**
   * `this[keys[i]][keys[i+1]]...`: follows the JSON members directly, so
   * the objects passed through are never converted (`input.a.b.c` converts
   * only what it returns, when that is an object or array).
   */
  getIn(keys: readonly Value[], i: number): Value | undefined {
    const rec = this.#record;
    if (rec === undefined) return getIn(super.get(keys[i]!), keys, i + 1);
    // the record itself is a JSON object: no test for the first member
    let key = keys[i];
    if (typeof key !== "string" || !hasOwn.call(rec, key)) return undefined;
    let raw: unknown = rec[key];
    for (i++; i < keys.length; i++) {
      if (!isRecord(raw)) break;
      key = keys[i];
      if (typeof key !== "string" || !hasOwn.call(raw, key)) return undefined;
      raw = raw[key];
    }
    const v = this.#convert(raw);
    return i === keys.length || v === undefined ? v : getIn(v, keys, i);
  }

  override get size(): number {
    return this.#record ? this.#names().length : super.size;
  }

  override get(key: Value): Value | undefined {
    if (!this.#record) return super.get(key);
    return typeof key === "string" ? this.#member(key) : undefined;
  }

  override has(key: Value): boolean {
    if (!this.#record) return super.has(key);
    return typeof key === "string" && this.#member(key) !== undefined;
  }

  override set(key: Value, value: Value): void {
    this.#materialize();
    super.set(key, value);
  }

  override delete(key: Value): void {
    this.#materialize();
    super.delete(key);
  }

  override some(f: (key: Value, value: Value) => unknown): boolean {
    if (!this.#record) return super.some(f);
    for (const k of this.#names()) if (f(k, this.#member(k)!) === true) return true;
    return false;
  }

  override *entries(): IterableIterator<readonly [Value, Value]> {
    if (!this.#record) {
      yield* super.entries();
      return;
    }
    for (const k of this.#names()) yield [k, this.#member(k)!] as const;
  }

  override *keys(): IterableIterator<Value> {
    if (!this.#record) {
      yield* super.keys();
      return;
    }
    yield* this.#names();
  }

  override *values(): IterableIterator<Value> {
    for (const [, v] of this.entries()) yield v;
  }

  override sortedEntries(): (readonly [Value, Value])[] {
    if (!this.#record) return super.sortedEntries();
    // JSON keys are strings: code point order is OPA's order for them
    return [...this.entries()].sort((a, b) => cmpStrings(a[0] as string, b[0] as string));
  }
}

// a JsonObject is an RObject that `getIn` hands the rest of a path to
Object.defineProperty(JsonObject.prototype, VALUE_KIND, { value: KIND_OBJECT | KIND_JSON });

const OBJECT_PROTOTYPE = Object.prototype;

/**
 * A JSON object (not an array, nor a Rego value placed in the JSON). This
 * runs for every member an input path passes through, on objects of every
 * shape: what `JSON.parse` and object literals make is told by its
 * prototype first; `instanceof` a class that fails walks the whole
 * prototype chain, and a load of the kind symbol would probe V8's stub
 * cache (megamorphic), both slower.
 */
function isRecord(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== "object") return false;
  const proto = Object.getPrototypeOf(x);
  if (proto === OBJECT_PROTOTYPE || proto === null) return true;
  return !Array.isArray(x) && !(x instanceof RObject) && !(x instanceof RSet);
}

/** `x` when it is a plain JSON object (what `JSON.parse` and object literals make). */
export function plainRecord(x: unknown): Record<string, unknown> | undefined {
  if (x === null || typeof x !== "object") return undefined;
  const proto = Object.getPrototypeOf(x);
  return proto === OBJECT_PROTOTYPE || proto === null ? (x as Record<string, unknown>) : undefined;
}

/**
 * `record[keys[0]][keys[1]]...` for a plain JSON object and keys that name
 * no member of Object.prototype (see `InputMemo.read`): each member is a
 * property read, with no own-member test. Only objects below the record are
 * tested for being plain (a getPrototypeOf costs as much as the read).
 */
export function recordIn(
  record: Record<string, unknown>,
  keys: readonly Value[],
): Value | undefined {
  let raw = record[keys[0] as string];
  for (let i = 1; i < keys.length; i++) {
    if (raw === undefined) return undefined;
    if (plainRecord(raw) === undefined) return jsonIn(raw, keys, i);
    raw = (raw as Record<string, unknown>)[keys[i] as string];
  }
  return raw === undefined ? undefined : lazyJSON(raw);
}

/**
 * Reads `keys` (plain member names) on a plain JSON object. Where the
 * runtime allows code generation (Node; not workerd), a function made for
 * the path reads each member by name: a property read at a site of its own
 * stays monomorphic, where the shared one in `recordIn` goes through V8's
 * megamorphic lookup for every member of every path. The generated source
 * holds only the keys as JSON string literals.
 */
export function recordReader(keys: readonly string[], generate = true): RecordReader {
  if (codegen === undefined) codegen = canGenerateCode();
  if (!codegen || !generate) return (record) => recordIn(record, keys);
  const lines = [`let v = r[${JSON.stringify(keys[0])}];`];
  for (let i = 1; i < keys.length; i++) {
    lines.push(
      "if (v === undefined) return undefined;",
      // a plain object, told by a read that a single-shape site folds to a
      // constant (getPrototypeOf is a call): anything else, and an object
      // with a member named "constructor", takes the general path
      `if (v === null || typeof v !== "object" || v.constructor !== Object) return jsonIn(v, keys, ${i});`,
      `v = v[${JSON.stringify(keys[i])}];`,
    );
  }
  // scalars are their own value: no call for them
  lines.push(
    'return typeof v === "string" || typeof v === "number" || typeof v === "boolean" || v === null ? v : v === undefined ? undefined : lazyJSON(v);',
  );
  const make = new Function(
    "jsonIn",
    "lazyJSON",
    "keys",
    `"use strict"; return (r) => { ${lines.join(" ")} };`,
  );
  return make(jsonIn, lazyJSON, keys) as RecordReader;
}

/** Whether `new Function` works here (workerd refuses code generation from strings). */
let codegen: boolean | undefined;
function canGenerateCode(): boolean {
  try {
    return new Function("return true")() === true;
  } catch {
    return false;
  }
}

/**
 * `json[keys[0]][keys[1]]...` on the caller's JSON, converting only what it
 * returns: a query's input paths are read without wrapping the input first.
 */
export function jsonIn(json: unknown, keys: readonly Value[], from = 0): Value | undefined {
  let raw = json;
  for (let i = from; i < keys.length; i++) {
    // arrays and Rego values placed in the JSON: as values from here on
    if (!isRecord(raw)) return getIn(lazyJSON(raw), keys, i);
    const key = keys[i];
    if (typeof key !== "string" || !hasOwn.call(raw, key)) return undefined;
    raw = raw[key];
    // like JSON.stringify: a member set to `undefined` is absent
    if (raw === undefined) return undefined;
  }
  return raw === undefined ? undefined : lazyJSON(raw);
}

/**
 * `v[keys[i]][keys[i+1]]...` for any value; lazily converted JSON objects
 * are followed member by member without converting what lies between.
 */
export function getIn(v: Value | undefined, keys: readonly Value[], i = 0): Value | undefined {
  for (; i < keys.length; i++) {
    if (v === undefined || v === null || typeof v !== "object") return undefined;
    const kind = kindOf(v);
    if ((kind & KIND_JSON) !== 0) return (v as JsonObject).getIn(keys, i);
    const key = keys[i]!;
    if (Array.isArray(v)) {
      v = typeof key === "number" && Number.isInteger(key) ? v[key] : undefined;
    } else if ((kind & KIND_OBJECT) !== 0) v = (v as RObject).get(key);
    else v = (v as RSet).has(key) ? key : undefined;
  }
  return v;
}

function cmpStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    if (ca > 0xffff) i++;
  }
  return a.length - b.length;
}

/** Plain JSON (as `JSON.parse` gives it) to a Rego value, objects converted lazily. */
export function lazyJSON(x: unknown, converted?: Converted): Value {
  if (x === null || typeof x === "boolean" || typeof x === "string" || typeof x === "number")
    return x;
  if (typeof x === "bigint") return Number.isSafeInteger(Number(x)) ? Number(x) : x;
  if (Array.isArray(x)) {
    const shared = converted ?? new Map();
    return x.map((e) => lazyJSON(e, shared));
  }
  if (x instanceof RObject || x instanceof RSet) return x;
  if (typeof x === "object") return new JsonObject(x as Record<string, unknown>, converted);
  throw new TypeError(`not a JSON value: ${typeof x}`);
}
