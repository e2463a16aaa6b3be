import { BuiltinError } from "../errors.ts";
import { equal, RObject, RSet } from "../value.ts";
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

/** Declared so policies that call it compile and tests can mock it; never sends. */
const httpSend: CallFn = () => {
  throw new BuiltinError("http.send: not supported by this engine");
};

/** Builtins that belong to the language rather than the library. */
export interface LanguageBuiltin {
  readonly arity: number;
  readonly call: CallFn;
  /** Has effects or depends on more than its operands. */
  readonly impure?: boolean;
}

export const languageBuiltins: ReadonlyMap<string, LanguageBuiltin> = new Map<
  string,
  LanguageBuiltin
>([
  ["internal.member_2", { arity: 2, call: member2 }],
  ["internal.member_3", { arity: 3, call: member3 }],
  ["opa.runtime", { arity: 0, call: runtime }],
  ["http.send", { arity: 1, call: httpSend, impure: true }],
]);
