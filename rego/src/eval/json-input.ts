import { RObject, RSet, type Value } from "../value.ts";

/**
 * A JSON object seen as an RObject without converting it up front: members
 * are converted when read. Inputs are usually read sparsely (a decision
 * touches a few fields), so this avoids building a Map per object per query.
 * Any mutation first converts everything, so it behaves as a plain RObject.
 */
export class JsonObject extends RObject {
  #record: Record<string, unknown> | undefined;
  #converted: Map<string, Value> | undefined;
  #keys: string[] | undefined;

  constructor(record: Record<string, unknown>) {
    super();
    this.#record = record;
  }

  #member(key: string): Value | undefined {
    const rec = this.#record!;
    if (!Object.hasOwn(rec, key)) return undefined;
    const raw = rec[key];
    // like JSON.stringify: a member set to `undefined` is absent
    if (raw === undefined) return undefined;
    // scalars convert to themselves: no need to keep them
    if (
      raw === null ||
      typeof raw === "string" ||
      typeof raw === "number" ||
      typeof raw === "boolean"
    )
      return raw;
    let v = this.#converted?.get(key);
    if (v === undefined) {
      v = lazyJSON(raw);
      this.#converted ??= new Map();
      this.#converted.set(key, v);
    }
    return v;
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
export function lazyJSON(x: unknown): Value {
  if (x === null || typeof x === "boolean" || typeof x === "string" || typeof x === "number")
    return x;
  if (typeof x === "bigint") return Number.isSafeInteger(Number(x)) ? Number(x) : x;
  if (Array.isArray(x)) return x.map(lazyJSON);
  if (x instanceof RObject || x instanceof RSet) return x;
  if (typeof x === "object") return new JsonObject(x as Record<string, unknown>);
  throw new TypeError(`not a JSON value: ${typeof x}`);
}
