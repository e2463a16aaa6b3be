/**
 * Rego values in memory.
 *
 * | Rego      | JS                                                                 |
 * |-----------|--------------------------------------------------------------------|
 * | null      | `null`                                                             |
 * | boolean   | `boolean`                                                          |
 * | number    | `number`, or `bigint` for integers outside ±2^53 (never both forms) |
 * | string    | `string` (JS UTF-16; builtins count code points, as OPA counts runes) |
 * | array     | `readonly Value[]`                                                 |
 * | object    | {@link RObject} (keys may be any value)                            |
 * | set       | {@link RSet}                                                       |
 *
 * "undefined" is not a value: functions that may produce no value return
 * `undefined`. Values are treated as immutable once built.
 */
export type Value = null | boolean | number | bigint | string | readonly Value[] | RObject | RSet;

/**
 * The engine's copy of a string literal from a policy. V8 keeps short
 * strings from JSON.parse and JS source "internalized" (one copy per text),
 * so comparing or hashing a literal that is internalized too is a pointer
 * test, where a literal sliced out of the policy text is compared character
 * by character (and looked up in the string table for every keyed load).
 * Storing it as an object key and reading it back gives the internalized
 * copy; the text is unchanged.
 */
export function internalize(s: string): string {
  const holder: Record<string, true> = { [s]: true };
  for (const k in holder) return k;
  return s;
}

/** Primitive used as a JS Map key so that equal Rego values share one key. */
export type HashKey = string | number | boolean | null | bigint;

const COMPOSITE = "\u0000";

/**
 * The Map key for a value: strings map to themselves (fast path for ordinary
 * objects), numbers to a normalised number, composites to a canonical string
 * prefixed with NUL (a string that itself starts with NUL is escaped with a
 * second NUL so the two can never collide).
 */
export function hashKey(v: Value): HashKey {
  // `typeof v === "..."` tests, not a switch on `typeof v`: V8 compiles the
  // tests to type checks, the switch to a call producing a string compared
  // case by case (this runs on every object and set lookup)
  if (typeof v === "string") return v.length > 0 && v.charCodeAt(0) === 0 ? COMPOSITE + v : v;
  if (typeof v === "number") return v === 0 ? 0 : v;
  if (typeof v === "boolean" || v === null) return v;
  if (typeof v === "bigint") {
    return Number.isSafeInteger(Number(v)) && BigInt(Number(v)) === v ? Number(v) : v;
  }
  return COMPOSITE + canonical(v);
}

/** A canonical text of a value: equal values give equal text. */
export function canonical(v: Value): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "string":
      return JSON.stringify(v);
    case "number":
      return Object.is(v, -0) ? "0" : String(v);
    case "bigint":
      return v.toString();
    case "boolean":
      return v ? "true" : "false";
  }
  if (v instanceof RSet) return `{${v.sorted().map(canonical).join(",")}|set}`;
  if (v instanceof RObject) {
    const entries = v.sortedEntries().map(([k, x]) => `${canonical(k)}:${canonical(x)}`);
    return `{${entries.join(",")}}`;
  }
  return `[${(v as readonly Value[]).map(canonical).join(",")}]`;
}

/**
 * What kind of composite a value is, kept on the class prototypes. The hot
 * paths test a Rego value's kind by reading it (`isObject`, `isSet`): V8
 * caches that load per shape and folds it to a constant, whereas
 * `instanceof` a class imported from another module calls a builtin that
 * looks up `Symbol.hasInstance` and walks the prototype chain (all of it
 * when the answer is no). A symbol key: no JSON member can shadow it.
 */
export const VALUE_KIND: unique symbol = Symbol("rego.valueKind");
/** `VALUE_KIND` bits: an RObject (or subclass), an RSet, a lazily converted JSON object. */
export const KIND_OBJECT = 1;
export const KIND_SET = 2;
export const KIND_JSON = 4;

interface Kinded {
  readonly [VALUE_KIND]?: number;
}

/**
 * The `VALUE_KIND` bits of a Rego value (0: not an RObject or RSet). Only
 * for Rego values, never caller JSON: arrays are told apart first, so the
 * one load here sees the few value classes' shapes and V8 keeps it a
 * polymorphic inline cache (JSON objects of every shape would make it
 * megamorphic, a stub cache probe per read).
 */
export function kindOf(v: Value | undefined): number {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return 0;
  const k = (v as Kinded)[VALUE_KIND];
  return k === undefined ? 0 : k;
}

/** `v instanceof RObject` for a Rego value, by its kind. */
export function isObject(v: Value | undefined): v is RObject {
  return (kindOf(v) & KIND_OBJECT) !== 0;
}

/** `v instanceof RSet` for a Rego value, by its kind. */
export function isSet(v: Value | undefined): v is RSet {
  return kindOf(v) === KIND_SET;
}

export class RObject {
  /*
   * Plain properties assigned in the constructor, not class fields or
   * private methods (`#vals`, `#put`): V8 constructs a subclass instance
   * (`JsonObject`, one per query input) about three times faster when the
   * base class has no field initializers or private brand.
   */
  /** Values by hash key; made on the first write (many objects stay empty, or are JSON views). */
  declare private vals: Map<HashKey, Value> | undefined;
  /**
   * The keys as written, for the few whose hash key is not the key itself
   * (composites, big integers, strings starting with NUL): string and number
   * keys, nearly all of them, need no second entry.
   */
  declare private written: Map<HashKey, Value> | undefined;

  constructor(entries?: Iterable<readonly [Value, Value]>) {
    this.vals = undefined;
    this.written = undefined;
    if (entries) for (const [k, v] of entries) RObject.put(this, k, v);
  }

  /** Build from a plain JS record whose values are already Rego values. */
  static fromRecord(record: Record<string, Value>): RObject {
    const o = new RObject();
    for (const k of Object.keys(record)) RObject.put(o, k, record[k] as Value);
    return o;
  }

  private static put(o: RObject, key: Value, value: Value): void {
    const h = hashKey(key);
    o.vals ??= new Map();
    o.vals.set(h, value);
    if (h !== key) {
      o.written ??= new Map();
      o.written.set(h, key);
    }
  }

  private keyOf(h: HashKey): Value {
    const k = this.written?.get(h);
    return k === undefined ? h : k;
  }

  get size(): number {
    return this.vals === undefined ? 0 : this.vals.size;
  }

  get(key: Value): Value | undefined {
    const m = this.vals;
    return m === undefined ? undefined : m.get(hashKey(key));
  }

  has(key: Value): boolean {
    return this.vals?.has(hashKey(key)) === true;
  }

  /** Mutates: only while building a value that nobody else holds yet. */
  set(key: Value, value: Value): void {
    RObject.put(this, key, value);
  }

  /** Mutates: only while building a value that nobody else holds yet. */
  delete(key: Value): void {
    const h = hashKey(key);
    this.vals?.delete(h);
    this.written?.delete(h);
  }

  /** Whether `f(key, value)` returns true for some entry (stops at the first). */
  some(f: (key: Value, value: Value) => unknown): boolean {
    const m = this.vals;
    if (m === undefined) return false;
    if (this.written === undefined) {
      for (const [h, v] of m) if (f(h, v) === true) return true;
      return false;
    }
    for (const [h, v] of m) if (f(this.keyOf(h), v) === true) return true;
    return false;
  }

  *entries(): IterableIterator<readonly [Value, Value]> {
    const m = this.vals;
    if (m === undefined) return;
    for (const [h, v] of m) yield [this.keyOf(h), v] as const;
  }

  *keys(): IterableIterator<Value> {
    const m = this.vals;
    if (m === undefined) return;
    for (const h of m.keys()) yield this.keyOf(h);
  }

  *values(): IterableIterator<Value> {
    const m = this.vals;
    if (m !== undefined) yield* m.values();
  }

  /** Entries in OPA's key order. */
  sortedEntries(): (readonly [Value, Value])[] {
    return [...this.entries()].sort((a, b) => compare(a[0], b[0]));
  }
}

/** Sets up to this size find elements by scanning, not through a Map. */
const SMALL_SET = 8;

export class RSet {
  /*
   * The elements in insertion order, in `#vals[0, #n)`: the array is grown
   * by hand, from four slots (a push onto an empty array reserves 17). A
   * small set finds an element by scanning, comparing hash keys: the
   * elements themselves while each is its own hash key (strings, numbers:
   * nearly always), else `#keys` beside them. A larger one indexes them in
   * `#map`. A decision's sets are mostly small (a few violations, a handful
   * of constants), and a Map costs more to make than such a scan.
   */
  #vals: Value[];
  #n: number;
  #keys: HashKey[] | undefined;
  #map: Map<HashKey, number> | undefined;

  constructor(items?: Iterable<Value>) {
    this.#vals = EMPTY_VALUES;
    this.#n = 0;
    this.#keys = undefined;
    this.#map = undefined;
    if (items) for (const v of items) this.add(v);
  }

  /** Position of the element with hash key `h` (-1: none). */
  #find(h: HashKey): number {
    const map = this.#map;
    if (map !== undefined) {
      const i = map.get(h);
      return i === undefined ? -1 : i;
    }
    const keys = this.#keys ?? this.#vals;
    const n = this.#n;
    for (let i = 0; i < n; i++) if (keys[i] === h) return i;
    return -1;
  }

  get size(): number {
    return this.#n;
  }

  has(v: Value): boolean {
    return this.#find(hashKey(v)) >= 0;
  }

  /** Mutates: only while building a value that nobody else holds yet. */
  add(v: Value): void {
    const h = hashKey(v);
    const i = this.#find(h);
    const n = this.#n;
    if (this.#keys === undefined && this.#map === undefined && h !== v) {
      // the first element that is not its own hash key: keep the keys apart
      this.#keys = this.#vals.slice(0, n) as HashKey[];
    }
    // an equal element is replaced in place, as Map.set does
    if (i >= 0) {
      this.#vals[i] = v;
      return;
    }
    let vals = this.#vals;
    if (n === vals.length) {
      const grown: Value[] = n === 0 ? [null, null, null, null] : new Array(n * 2);
      for (let j = 0; j < n; j++) grown[j] = vals[j]!;
      vals = this.#vals = grown;
    }
    vals[n] = v;
    this.#n = n + 1;
    if (this.#map !== undefined) {
      this.#map.set(h, n);
      return;
    }
    if (this.#keys !== undefined) this.#keys[n] = h;
    if (n + 1 > SMALL_SET) {
      const map = new Map<HashKey, number>();
      const keys = this.#keys ?? (vals as HashKey[]);
      for (let j = 0; j <= n; j++) map.set(keys[j]!, j);
      this.#map = map;
      this.#keys = undefined;
    }
  }

  /** Mutates: only while building a value that nobody else holds yet. */
  delete(v: Value): void {
    const i = this.#find(hashKey(v));
    if (i < 0) return;
    const rest = this.items().filter((_, j) => j !== i);
    this.#vals = EMPTY_VALUES;
    this.#n = 0;
    this.#keys = undefined;
    this.#map = undefined;
    for (const x of rest) this.add(x);
  }

  /** The element at `i` in insertion order (0 <= i < size): loops index the set. */
  at(i: number): Value {
    return this.#vals[i]!;
  }

  /** The elements in insertion order, as an array. Read only. */
  items(): readonly Value[] {
    let vals = this.#vals;
    // an exact copy without the spare slots (setting `length` is a runtime call)
    if (vals.length !== this.#n) vals = this.#vals = vals.slice(0, this.#n);
    return vals;
  }

  /** Whether `f(element)` returns true for some element (stops at the first). */
  some(f: (v: Value) => unknown): boolean {
    const vals = this.#vals;
    const n = this.#n;
    for (let i = 0; i < n; i++) if (f(vals[i]!) === true) return true;
    return false;
  }

  /** The elements in insertion order; like a Map's, the walk sees elements added during it. */
  *values(): IterableIterator<Value> {
    for (let i = 0; i < this.#n; i++) yield this.#vals[i]!;
  }

  [Symbol.iterator](): IterableIterator<Value> {
    return this.values();
  }

  /** Elements in OPA's order. */
  sorted(): Value[] {
    return this.items().slice().sort(compare);
  }
}

/** The elements of every empty set (never written: the first add replaces it). */
const EMPTY_VALUES: Value[] = [];

Object.defineProperty(RObject.prototype, VALUE_KIND, { value: KIND_OBJECT });
Object.defineProperty(RSet.prototype, VALUE_KIND, { value: KIND_SET });

export function isArray(v: Value | undefined): v is readonly Value[] {
  return Array.isArray(v);
}

export function isNumber(v: Value | undefined): v is number | bigint {
  return typeof v === "number" || typeof v === "bigint";
}

/** OPA's type names, as `type_name` returns them. */
export function typeName(v: Value): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "boolean":
      return "boolean";
    case "number":
    case "bigint":
      return "number";
    case "string":
      return "string";
  }
  const kind = kindOf(v);
  if (kind === KIND_SET) return "set";
  if ((kind & KIND_OBJECT) !== 0) return "object";
  return "array";
}

const RANK: Record<string, number> = {
  null: 0,
  boolean: 1,
  number: 2,
  string: 3,
  array: 4,
  object: 5,
  set: 6,
};

function compareNumbers(a: number | bigint, b: number | bigint): number {
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : 0;
  // Mixed or big: compare exactly. A non-integer number against a bigint is
  // ordered by its floor, then by the fraction.
  const [ai, af] = toBig(a);
  const [bi, bf] = toBig(b);
  if (ai !== bi) return ai < bi ? -1 : 1;
  return af < bf ? -1 : af > bf ? 1 : 0;
}

/** A number as its integer part and fraction (module-level: see `compareNumbers`'s callers). */
function toBig(x: number | bigint): [bigint, number] {
  return typeof x === "bigint" ? [x, 0] : [BigInt(Math.floor(x)), x - Math.floor(x)];
}

function compareStrings(a: string, b: string): number {
  // OPA compares Go strings bytewise (UTF-8); comparing code points gives the
  // same order, whereas JS `<` compares UTF-16 units and differs for astral
  // characters.
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    if (ca > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** OPA's total order: null < boolean < number < string < array < object < set. */
export function compare(a: Value, b: Value): number {
  // the common cases first, with no type names: two numbers, two strings
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "string" && typeof b === "string") return compareStrings(a, b);
  const ta = typeName(a);
  const tb = typeName(b);
  if (ta !== tb) return RANK[ta]! - RANK[tb]!;
  switch (ta) {
    case "null":
      return 0;
    case "boolean":
      return a === b ? 0 : a ? 1 : -1;
    case "number":
      return compareNumbers(a as number | bigint, b as number | bigint);
    case "string":
      return compareStrings(a as string, b as string);
    case "array": {
      const x = a as readonly Value[];
      const y = b as readonly Value[];
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compare(x[i]!, y[i]!);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
    case "object": {
      const x = (a as RObject).sortedEntries();
      const y = (b as RObject).sortedEntries();
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const ck = compare(x[i]![0], y[i]![0]);
        if (ck !== 0) return ck;
        const cv = compare(x[i]![1], y[i]![1]);
        if (cv !== 0) return cv;
      }
      return x.length - y.length;
    }
    default: {
      const x = (a as RSet).sorted();
      const y = (b as RSet).sorted();
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compare(x[i]!, y[i]!);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
  }
}

/** Rego equality (numbers by value: `1 == 1.0`). */
export function equal(a: Value, b: Value): boolean {
  if (a === b) return true;
  // no `const t = typeof a`: V8 folds only `typeof x === "..."` into type checks
  if (
    typeof a === "string" ||
    typeof a === "boolean" ||
    a === null ||
    b === null ||
    typeof b === "string"
  ) {
    return false;
  }
  if (isNumber(a) && isNumber(b)) return compareNumbers(a, b) === 0;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equal(a[i], b[i])) return false;
    return true;
  }
  if (isObject(a)) {
    if (!isObject(b) || a.size !== b.size) return false;
    return !a.some((k, v) => {
      const w = b.get(k);
      return w === undefined || !equal(v, w);
    });
  }
  if (isSet(a)) {
    if (!isSet(b) || a.size !== b.size) return false;
    for (const v of a) if (!b.has(v)) return false;
    return true;
  }
  return false;
}

/** JSON (as parsed by `JSON.parse`) to a Rego value. */
export function fromJSON(x: unknown): Value {
  if (x === null || typeof x === "boolean" || typeof x === "string") return x;
  if (typeof x === "number") return x;
  if (typeof x === "bigint") return hashKey(x) as number | bigint;
  if (Array.isArray(x)) return x.map(fromJSON);
  if (typeof x === "object") {
    const o = new RObject();
    for (const k of Object.keys(x as object)) o.set(k, fromJSON((x as Record<string, unknown>)[k]));
    return o;
  }
  throw new TypeError(`not a JSON value: ${typeof x}`);
}

/**
 * A Rego value to JSON as OPA serialises it: sets become sorted arrays,
 * object keys that are not strings become their JSON text. Big integers are
 * returned as `bigint`; use {@link stringifyJSON} to print them exactly.
 */
export function toJSON(v: Value): unknown {
  if (v === null || typeof v !== "object") return v;
  if (v instanceof RSet) return v.sorted().map(toJSON);
  if (v instanceof RObject) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of v.sortedEntries()) {
      out[typeof k === "string" ? k : stringifyJSON(k)] = toJSON(x);
    }
    return out;
  }
  return (v as readonly Value[]).map(toJSON);
}

/** `JSON.stringify` of {@link toJSON}, printing big integers exactly. */
export function stringifyJSON(v: Value): string {
  if (typeof v === "bigint") return v.toString();
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (v instanceof RSet) return `[${v.sorted().map(stringifyJSON).join(",")}]`;
  if (v instanceof RObject) {
    const parts = v
      .sortedEntries()
      .map(
        ([k, x]) =>
          `${JSON.stringify(typeof k === "string" ? k : stringifyJSON(k))}:${stringifyJSON(x)}`,
      );
    return `{${parts.join(",")}}`;
  }
  return `[${(v as readonly Value[]).map(stringifyJSON).join(",")}]`;
}
