import type { Term } from "../ast/nodes.ts";
import { type Location, RegoError } from "../errors.ts";
import { Arg, argsOf, argValue, SLOT } from "../eval/args.ts";
import type { Operand, Pat } from "../eval/operands.ts";
import { RecordObject, recordKeys } from "../eval/record-object.ts";
import {
  constantTerm,
  type Env,
  fromGetter,
  type Getter,
  type Query,
  type TermFn,
  type VK,
} from "../eval/types.ts";
import { internalize, RObject, RSet, type Value } from "../value.ts";
import { compileCall } from "./calls.ts";
import { compileComprehension } from "./comprehensions.ts";
import type { CompileCtx } from "./context.ts";
import { compileGlobalRef, compileRef } from "./refs.ts";
import { forEachTermVar, type Scope } from "./scope.ts";
import { compileTemplate } from "./template.ts";

const unsafe = (name: string, loc: Location) =>
  new RegoError("rego_unsafe_var_error", `var ${name} is unsafe`, loc);

/** Compiles a term into a function producing its values. */
export function compileTerm(cx: CompileCtx, t: Term, scope: Scope): TermFn {
  switch (t.type) {
    case "scalar":
      return constantTerm(t.value);
    case "var": {
      if (t.name === "_") {
        return () => {
          throw unsafe("_", t.loc);
        };
      }
      const slot = scope.lookup(t.name);
      if (slot !== undefined) {
        const get: Getter = (_q, env) => {
          const v = env[slot];
          if (v === undefined) throw unsafe(t.name, t.loc);
          return v;
        };
        const fn = fromGetter(get);
        fn.arg = new Arg(SLOT, undefined, slot, undefined, get);
        return fn;
      }
      const g = scope.global(t.name);
      if (g) return compileGlobalRef(cx, g, []);
      throw unsafe(t.name, t.loc);
    }
    case "ref":
      return compileRef(cx, t, scope);
    case "array": {
      const items = t.items.map((i) => compileTerm(cx, i, scope));
      const consts = constants(items);
      if (consts) return constantTerm(consts);
      const gets = getters(items);
      if (gets) return fromGetter((q, env) => getAll(q, env, gets));
      return (q, env, k) =>
        evalAll(q, env, items, 0, new Array(items.length), (vs) => k(vs.slice()));
    }
    case "set": {
      const items = t.items.map((i) => compileTerm(cx, i, scope));
      const consts = constants(items);
      if (consts) return constantTerm(new RSet(consts));
      const gets = getters(items);
      if (gets) {
        return fromGetter((q, env) => {
          const vs = getAll(q, env, gets);
          return vs && new RSet(vs);
        });
      }
      return (q, env, k) =>
        evalAll(q, env, items, 0, new Array(items.length), (vs) => k(new RSet(vs)));
    }
    case "object": {
      const fns = t.pairs.flatMap(([a, b]) => [
        compileTerm(cx, a, scope),
        compileTerm(cx, b, scope),
      ]);
      const consts = constants(fns);
      if (consts) {
        const o = new RObject();
        for (let i = 0; i < consts.length; i += 2) o.set(consts[i]!, consts[i + 1]!);
        return constantTerm(o);
      }
      const keys = fns.filter((_, i) => i % 2 === 0).map((f) => f.constant);
      const valueArgs = argsOf(fns.filter((_, i) => i % 2 === 1));
      if (valueArgs && keys.every((k) => k !== undefined) && recordKeys(keys as Value[])) {
        // string keys known now: the values beside one shared key list, no Map
        const names = keys as string[];
        const n = valueArgs.length;
        return fromGetter((q, env) => {
          const values = new Array<Value>(n);
          for (let i = 0; i < n; i++) {
            const v = argValue(q, env, valueArgs[i]!);
            if (v === undefined) return undefined;
            values[i] = v;
          }
          return new RecordObject(names, values);
        });
      }
      const args = argsOf(fns);
      if (args) {
        // built in place from its operands (keys are mostly literals)
        return fromGetter((q, env) => {
          const o = new RObject();
          for (let i = 0; i < args.length; i += 2) {
            const k = argValue(q, env, args[i]!);
            if (k === undefined) return undefined;
            const v = argValue(q, env, args[i + 1]!);
            if (v === undefined) return undefined;
            o.set(k, v);
          }
          return o;
        });
      }
      return (q, env, k) =>
        evalAll(q, env, fns, 0, new Array(fns.length), (vs) => {
          const o = new RObject();
          for (let i = 0; i < vs.length; i += 2) o.set(vs[i]!, vs[i + 1]!);
          return k(o);
        });
    }
    case "call":
      return compileCall(cx, t, scope);
    case "arraycompr":
    case "setcompr":
    case "objectcompr":
      return compileComprehension(cx, t, scope);
    case "template":
      return compileTemplate(cx, t, scope);
  }
}

/** The compile-time values of all terms, if every term is a literal. */
function constants(fns: readonly TermFn[]): Value[] | undefined {
  const out: Value[] = [];
  for (const f of fns) {
    if (f.constant === undefined) return undefined;
    out.push(f.constant);
  }
  return out;
}

/** The getters of all terms, if every term has one. */
export function getters(fns: readonly TermFn[]): Getter[] | undefined {
  const out: Getter[] = [];
  for (const f of fns) {
    if (!f.get) return undefined;
    out.push(f.get);
  }
  return out;
}

/** Values of single-valued terms; undefined when one is undefined. */
export function getAll(q: Query, env: Env, gets: readonly Getter[]): Value[] | undefined {
  const out = new Array<Value>(gets.length);
  for (let i = 0; i < gets.length; i++) {
    const v = gets[i]!(q, env);
    if (v === undefined) return undefined;
    out[i] = v;
  }
  return out;
}

/** Evaluates terms left to right, each possibly with many values. */
export function evalAll(
  q: Query,
  env: Env,
  fns: readonly TermFn[],
  i: number,
  acc: Value[],
  k: (vs: Value[]) => boolean,
): boolean {
  if (i === fns.length) return k(acc);
  const g = fns[i]!.get;
  if (g) {
    const v = g(q, env);
    if (v === undefined) return false;
    acc[i] = v;
    return evalAll(q, env, fns, i + 1, acc, k);
  }
  return fns[i]!(q, env, (v) => {
    acc[i] = v;
    return evalAll(q, env, fns, i + 1, acc, k);
  });
}

export function compileOperand(cx: CompileCtx, t: Term, scope: Scope): Operand {
  if (t.type === "scalar") {
    const key = typeof t.value === "string" ? internalize(t.value) : t.value;
    return { kind: "const", key };
  }
  if (t.type === "var") {
    const slot = t.name === "_" ? scope.declare("_") : scope.lookup(t.name);
    if (slot !== undefined) return { kind: "var", slot, bound: scope.bound?.has(slot) === true };
  }
  return {
    kind: "term",
    fn: compileTerm(cx, t, scope),
    pat: compilePat(cx, t, scope),
    slots: termSlots(t, scope),
    wild: hasWildcardPattern(t),
  };
}

function hasWildcardPattern(t: Term): boolean {
  if (t.type === "var") return t.name === "_";
  if (t.type === "array") return t.items.some(hasWildcardPattern);
  if (t.type === "object") return t.pairs.some(([, v]) => hasWildcardPattern(v));
  return false;
}

/** Local slots a term mentions directly (wildcards excluded). */
export function termSlots(t: Term, scope: Scope): number[] {
  const out: number[] = [];
  forEachTermVar(t, (name) => {
    const s = name === "_" ? undefined : scope.lookup(name);
    if (s !== undefined && !out.includes(s)) out.push(s);
  });
  return out;
}

/** Compiles a term as a pattern for unification. */
export function compilePat(cx: CompileCtx, t: Term, scope: Scope): Pat {
  if (t.type === "var") {
    const slot = t.name === "_" ? scope.declare("_") : scope.lookup(t.name);
    if (slot !== undefined) return { t: "var", slot, name: t.name };
  }
  if (t.type === "array")
    return { t: "array", items: t.items.map((i) => compilePat(cx, i, scope)) };
  if (t.type === "object") {
    return {
      t: "object",
      keys: t.pairs.map(([k]) => compileTerm(cx, k, scope)),
      values: t.pairs.map(([, v]) => compilePat(cx, v, scope)),
    };
  }
  return { t: "val", fn: compileTerm(cx, t, scope), slots: termSlots(t, scope) };
}

export type { VK };
