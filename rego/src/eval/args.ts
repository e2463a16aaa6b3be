import type { Value } from "../value.ts";
import { getIn, jsonIn, lazyJSON } from "./json-input.ts";
import type { Env, Getter, InputMemo, Query, TermFn } from "./types.ts";

/** What an `Arg` is: a literal (`value`). */
export const CONSTANT = 0;
/** A local var (`env[slot]`; `get` reports it unbound). */
export const SLOT = 1;
/** `input` with constant keys (`memo`). */
export const INPUT = 2;
/** Any other single-valued term (`get`). */
export const TERM = 3;
export type ArgKind = typeof CONSTANT | typeof SLOT | typeof INPUT | typeof TERM;

/**
 * A single-valued operand in the form the evaluator reads fastest. Reading
 * one (`argValue`) is a switch in a plain function that V8 inlines into its
 * callers; literals, vars and input paths, most operands in practice, are
 * then read without a call through a closure. One class, so every read of
 * its fields sees one shape.
 */
export class Arg {
  constructor(
    readonly kind: ArgKind,
    readonly value: Value | undefined,
    readonly slot: number,
    readonly memo: InputMemo | undefined,
    readonly get: Getter,
  ) {}
}

/** The operand's value (undefined: it has none). */
export function argValue(q: Query, env: Env, a: Arg): Value | undefined {
  switch (a.kind) {
    case CONSTANT:
      return a.value;
    case SLOT: {
      const v = env[a.slot];
      return v === undefined ? a.get(q, env) : v;
    }
    case INPUT:
      return inputValue(q, a.memo!);
    default:
      return a.get(q, env);
  }
}

/** The query's input as a Rego value (undefined: no input). */
export function inputOf(q: Query): Value | undefined {
  let v = q.input;
  if (v === undefined && q.inputJSON !== undefined) v = q.input = lazyJSON(q.inputJSON);
  return v;
}

/** An input path's value, read once per query into its memo. */
export function inputValue(q: Query, memo: InputMemo): Value | undefined {
  q.track.impure = true;
  if (memo.stamp === q.stamp) return memo.value;
  const json = q.inputJSON;
  let v: Value | undefined;
  if (json === undefined || q.input !== undefined) v = getIn(q.input, memo.keys);
  else {
    const record = q.inputRecord;
    const read = memo.read;
    v = record !== undefined && read !== undefined ? read(record) : jsonIn(json, memo.keys);
  }
  memo.stamp = q.stamp;
  memo.value = v;
  return v;
}

/** The `Arg` of a single-valued term (undefined: the term may have many values). */
export function argOf(t: TermFn): Arg | undefined {
  if (t.arg) return t.arg;
  return t.get ? new Arg(TERM, undefined, -1, undefined, t.get) : undefined;
}

/** The `Arg`s of terms, if every one is single-valued. */
export function argsOf(ts: readonly TermFn[]): Arg[] | undefined {
  const out: Arg[] = [];
  for (const t of ts) {
    const a = argOf(t);
    if (!a) return undefined;
    out.push(a);
  }
  return out;
}
