import { stringifyJSON, equal, RObject, RSet, type Value } from "../value.ts";
import { each, index } from "./operands.ts";
import type { CallFn } from "./types.ts";

/** `x in coll`: some element (array item, set member, object value) equals x. */
const member2: CallFn = (_q, [x, coll], k) => {
  let found = false;
  each(coll!, (_k, v) => (found = equal(v, x!)));
  return k(found);
};

/** `k, v in coll`: coll[k] equals v. */
const member3: CallFn = (_q, [key, x, coll], k) => {
  if (coll instanceof RSet) return k(false);
  const v = index(coll!, key!);
  return k(v !== undefined && equal(v, x!));
};

const runtime: CallFn = (_q, _args, k) => k(new RObject());

/** What `print` shows for a value. */
export function printable(v: Value | undefined): string {
  if (v === undefined) return "<undefined>";
  if (typeof v === "string") return v;
  if (v instanceof RSet) return `{${v.sorted().map(stringifyJSON).join(", ")}}`;
  return stringifyJSON(v);
}

/** Builtins that belong to the language rather than the library. */
export const languageBuiltins: ReadonlyMap<string, { arity: number; call: CallFn }> = new Map([
  ["internal.member_2", { arity: 2, call: member2 }],
  ["internal.member_3", { arity: 3, call: member3 }],
  ["opa.runtime", { arity: 0, call: runtime }],
]);
