import { compare, hashKey, RObject, type Value } from "../value.ts";

/**
 * An object built by a literal whose keys are all string constants
 * (`{"allow": allow, "violations": v}`): the keys are shared by every
 * object the literal builds, the values sit in an array beside them, and no
 * Map is made. Lookups scan the few keys (interned strings: pointer tests).
 * Any mutation first moves the entries into the RObject storage, so it
 * behaves as a plain RObject.
 */
export class RecordObject extends RObject {
  #keys: readonly string[] | undefined;
  #values: readonly Value[] | undefined;

  /** `keys` are distinct strings not starting with NUL (their own hash keys). */
  constructor(keys: readonly string[], values: readonly Value[]) {
    super();
    this.#keys = keys;
    this.#values = values;
  }

  #find(key: Value): number {
    const keys = this.#keys!;
    if (typeof key !== "string") return -1;
    for (let i = 0; i < keys.length; i++) if (keys[i] === key) return i;
    return -1;
  }

  /** Moves the entries into the RObject storage (before a mutation). */
  #materialize(): void {
    const keys = this.#keys;
    if (!keys) return;
    const values = this.#values!;
    this.#keys = undefined;
    this.#values = undefined;
    for (let i = 0; i < keys.length; i++) super.set(keys[i]!, values[i]!);
  }

  override get size(): number {
    return this.#keys ? this.#keys.length : super.size;
  }

  override get(key: Value): Value | undefined {
    if (!this.#keys) return super.get(key);
    const i = this.#find(key);
    return i < 0 ? undefined : this.#values![i];
  }

  override has(key: Value): boolean {
    return this.#keys ? this.#find(key) >= 0 : super.has(key);
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
    const keys = this.#keys;
    if (!keys) return super.some(f);
    const values = this.#values!;
    for (let i = 0; i < keys.length; i++) if (f(keys[i]!, values[i]!) === true) return true;
    return false;
  }

  override *entries(): IterableIterator<readonly [Value, Value]> {
    const keys = this.#keys;
    if (!keys) {
      yield* super.entries();
      return;
    }
    const values = this.#values!;
    for (let i = 0; i < keys.length; i++) yield [keys[i]!, values[i]!] as const;
  }

  override *keys(): IterableIterator<Value> {
    if (!this.#keys) {
      yield* super.keys();
      return;
    }
    yield* this.#keys;
  }

  override *values(): IterableIterator<Value> {
    if (!this.#values) {
      yield* super.values();
      return;
    }
    yield* this.#values;
  }

  override sortedEntries(): (readonly [Value, Value])[] {
    if (!this.#keys) return super.sortedEntries();
    return [...this.entries()].sort((a, b) => compare(a[0], b[0]));
  }
}

/** Whether literal keys can make a `RecordObject`: distinct strings that are their own hash keys. */
export function recordKeys(keys: readonly Value[]): keys is readonly string[] {
  return (
    keys.every((k) => typeof k === "string" && hashKey(k) === k) &&
    new Set(keys).size === keys.length
  );
}
