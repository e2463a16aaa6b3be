import type { Term, TermOf } from "../ast/nodes.ts";
import type { BuiltinDef } from "../builtins/types.ts";
import { RegoError } from "../errors.ts";
import { type Arg, argsOf } from "../eval/args.ts";
import { displayString } from "../eval/format.ts";
import { callFunction } from "../eval/functions.ts";
import {
  type CallFn,
  type Env,
  fromGetter,
  type Getter,
  holds,
  newStamp,
  type Query,
  type TermFn,
} from "../eval/types.ts";
import { unifyValue } from "../eval/unify.ts";
import { equal, RObject, type Value } from "../value.ts";
import { directBuiltinCall } from "./builtin-calls.ts";
import { compileOrdering, isOrdering } from "./comparisons.ts";
import type { CompileCtx } from "./context.ts";
import type { Scope } from "./scope.ts";
import { compilePat, compileTerm, evalAll, getAll, getters } from "./terms.ts";
import type { DocNode } from "./tree.ts";
import { checkOperands } from "./typecheck.ts";

/** A resolved callee: a user function at a tree node, or a builtin by name. */
export type Callee =
  | {
      readonly kind: "function";
      readonly node: DocNode;
      readonly key: string;
      readonly arity: number;
    }
  | {
      readonly kind: "builtin";
      readonly name: string;
      readonly key: string;
      readonly arity: number;
      readonly call: CallFn;
      /** Single-valued builtins: call without a continuation. */
      readonly direct?: (q: Query, args: readonly Value[]) => Value | undefined;
    };

/** The dotted name or data path a callee term spells, if it is a plain name. */
export function calleeName(fn: Term, scope: Scope): { data?: Value[]; name?: string } | undefined {
  let head: string;
  const rest: Value[] = [];
  if (fn.type === "var") head = fn.name;
  else if (fn.type === "ref" && fn.head.type === "var") {
    head = fn.head.name;
    for (const p of fn.path) {
      if (p.type !== "scalar" || typeof p.value !== "string") return undefined;
      rest.push(p.value);
    }
  } else return undefined;
  if (scope.lookup(head) !== undefined) return undefined;
  const g = scope.global(head);
  if (g?.root === "data") return { data: [...g.path, ...rest] };
  if (g) return undefined;
  return { name: [head, ...rest].join(".") };
}

function findNode(root: DocNode, path: readonly Value[]): DocNode | undefined {
  let n: DocNode | undefined = root;
  for (const k of path) {
    n = n?.child(k);
    if (!n) return undefined;
  }
  return n;
}

/** Resolves a callee or returns undefined when nothing by that name exists. */
export function resolveCallee(cx: CompileCtx, fn: Term, scope: Scope): Callee | undefined {
  const n = calleeName(fn, scope);
  if (!n) return undefined;
  if (n.data) {
    const node = findNode(cx.root, n.data);
    if (!node || node.arity === undefined) return undefined;
    cx.deps.add(node, false);
    return { kind: "function", node, key: `data.${n.data.join(".")}`, arity: node.arity };
  }
  const name = n.name!;
  if (name === "rego.metadata.rule" || name === "rego.metadata.chain") {
    const v: Value =
      (name === "rego.metadata.rule" ? cx.current?.annotations : cx.current?.chain) ??
      (name === "rego.metadata.rule" ? new RObject() : []);
    return { kind: "builtin", name, key: name, arity: 0, call: (_q, _a, k) => k(v) };
  }
  const lang = cx.language.get(name);
  if (lang) {
    const inner = lang.call;
    const call: CallFn = (q, args, k) => {
      if (lang.impure) q.track.impure = true;
      try {
        return inner(q, args, k);
      } catch (e) {
        if (e instanceof RegoError) throw e;
        return builtinFailure(q, e);
      }
    };
    return { kind: "builtin", name, key: name, arity: lang.arity, call };
  }
  const def = cx.builtin(name);
  if (def) {
    const call = builtinCall(def);
    const arity = def.args.length;
    if (def.relation) return { kind: "builtin", name, key: name, arity, call };
    return { kind: "builtin", name, key: name, arity, call, direct: builtinDirect(def) };
  }
  return undefined;
}

/** Arity of a callee, for the safety analysis (output operands). */
export function calleeArity(cx: CompileCtx, fn: Term, scope: Scope): number | undefined {
  return resolveCallee(cx, fn, scope)?.arity;
}

function describe(fn: Term): string {
  if (fn.type === "var") return fn.name;
  if (fn.type === "ref" && fn.head.type === "var") {
    return [
      fn.head.name,
      ...fn.path.map((p) => (p.type === "scalar" ? String(p.value) : "?")),
    ].join(".");
  }
  return "?";
}

/**
 * `print(...)`: any number of operands; an undefined operand prints
 * `<undefined>`; always true. Output goes to the query's `print` sink.
 */
function compilePrint(cx: CompileCtx, t: TermOf<"call">, scope: Scope): TermFn {
  const args = t.args.map((a) => compileTerm(cx, a, scope));
  return (q, env, k) => {
    q.track.impure = true;
    const parts = args.map((a) => {
      let v: Value | undefined;
      a(q, env, (x) => {
        v = x;
        return true;
      });
      return displayString(v);
    });
    q.print(parts.join(" "));
    return k(true);
  };
}

/** Wraps a builtin: errors become undefined unless strict. */
export function builtinCall(def: BuiltinDef): CallFn {
  if (def.relation) {
    const rel = def.relation;
    return (q, args, k) => {
      if (def.nondeterministic) q.track.impure = true;
      let out: Iterable<Value>;
      try {
        out = rel(args, q.bctx);
        for (const v of out) if (k(v)) return true;
      } catch (e) {
        return builtinFailure(q, e);
      }
      return false;
    };
  }
  const fn = def.fn;
  const nondet = def.nondeterministic === true;
  return (q, args, k) => {
    if (nondet) q.track.impure = true;
    let r: Value | undefined;
    try {
      r = fn(args, q.bctx);
    } catch (e) {
      return builtinFailure(q, e);
    }
    return r === undefined ? false : k(r);
  };
}

/** A builtin called directly: its value, or undefined (errors as `builtinFailure`). */
function builtinDirect(def: BuiltinDef): (q: Query, args: readonly Value[]) => Value | undefined {
  const fn = def.fn;
  const nondet = def.nondeterministic === true;
  return (q, args) => {
    if (nondet) q.track.impure = true;
    try {
      return fn(args, q.bctx);
    } catch (e) {
      builtinFailure(q, e);
      return undefined;
    }
  };
}

function builtinFailure(q: Query, e: unknown): boolean {
  if (e instanceof RegoError) throw e;
  const code = (e as { code?: string }).code;
  // the value now depends on strictness: never share it with other queries
  q.track.impure = true;
  if (!q.strict) return false;
  const message = e instanceof Error ? e.message : String(e);
  throw new RegoError(
    code === "eval_type_error" ? "eval_type_error" : "eval_builtin_error",
    message,
  );
}

/**
 * `x == "lit"` (either side): the other operand and the literal, when the
 * literal is a string, boolean, null or a JS number (`1 == 1.0` holds for
 * numbers as for `===`; only a big integer needs `equal`).
 */
function scalarOperand(
  inputs: readonly TermFn[],
): { other: TermFn; get: Getter; value: string | boolean | null | number } | undefined {
  const [a, b] = inputs as [TermFn, TermFn];
  for (const [lit, other] of [
    [a, b],
    [b, a],
  ] as const) {
    const v = lit.constant;
    if (
      other.get &&
      (typeof v === "string" || typeof v === "boolean" || typeof v === "number" || v === null)
    ) {
      return { other, get: other.get, value: v };
    }
  }
  return undefined;
}

/** `a == lit` for `scalarOperand`'s literals. */
type LiteralTest = (a: Value, lit: string | boolean | null | number) => boolean;

/*
 * One test per literal type: a shared `a === lit` sees strings, numbers and
 * booleans, and V8 then compiles it to its generic comparison builtin;
 * after a type test each compiles to the comparison of that type.
 */
const equalsString: LiteralTest = (a, lit) => typeof a === "string" && a === lit;
const equalsNumber: LiteralTest = (a, lit) =>
  typeof a === "number" ? a === lit : typeof a === "bigint" && equal(a, lit);
const equalsOther: LiteralTest = (a, lit) => a === lit;

function literalTest(lit: string | boolean | null | number): LiteralTest {
  if (typeof lit === "string") return equalsString;
  return typeof lit === "number" ? equalsNumber : equalsOther;
}

export function compileCall(cx: CompileCtx, t: TermOf<"call">, scope: Scope): TermFn {
  if (t.fn.type === "var" && t.fn.name === "print" && !scope.global("print"))
    return compilePrint(cx, t, scope);
  const callee = resolveCallee(cx, t.fn, scope);
  if (!callee) {
    throw new RegoError("rego_type_error", `undefined function ${describe(t.fn)}`, t.loc);
  }
  const n = t.args.length;
  if (n !== callee.arity && n !== callee.arity + 1) {
    throw new RegoError(
      "rego_type_error",
      `${describe(t.fn)}: arity mismatch: have ${n}, want ${callee.arity}`,
      t.loc,
    );
  }
  if (callee.kind === "builtin") {
    const def = cx.builtin(callee.name);
    if (def) checkOperands(callee.name, def.args, t.args, t.loc);
    if (def?.deprecated && scope.mod && !scope.mod.v0) {
      throw new RegoError(
        "rego_type_error",
        `deprecated built-in function calls in expression: ${callee.name}`,
        t.loc,
      );
    }
  }
  const inputs = t.args.slice(0, callee.arity).map((a) => compileTerm(cx, a, scope));
  const out = n > callee.arity ? compilePat(cx, t.args[n - 1]!, scope) : undefined;
  const key = callee.key;
  const impl: CallFn =
    callee.kind === "function"
      ? (q, args, k) => callFunction(q, callee.node, args, k)
      : callee.call;
  const loc = t.loc;
  const call = (q: Query, args: Value[], k: (v: Value) => boolean): boolean => {
    const ov = q.fnOverrides?.get(key);
    try {
      if (ov) {
        if (ov.kind === "value") return k(ov.value);
        // a mock runs unmocked: it may call the original, and never another mock
        return ov.call({ ...q, fnOverrides: undefined, stamp: newStamp(), consts: false }, args, k);
      }
      return impl(q, args, k);
    } catch (e) {
      if (e instanceof RegoError && !e.location) throw new RegoError(e.code, e.message, loc);
      throw e;
    }
  };
  const gets = out ? undefined : getters(inputs);
  /** The generic call (mocks honoured): what the in-place comparisons below fall back to. */
  const callSlow = (q: Query, env: Env): Value | undefined => {
    const args = getAll(q, env, gets!);
    if (!args) return undefined;
    let r: Value | undefined;
    call(q, args, (v) => {
      r = v;
      return true;
    });
    return r;
  };
  if (gets && gets.length === 2 && callee.kind === "builtin" && isOrdering(key)) {
    const [a0, a1] = argsOf(inputs) as [Arg, Arg];
    return compileOrdering(key, a0, a1, callSlow);
  }
  if (
    gets &&
    gets.length === 2 &&
    callee.kind === "builtin" &&
    (key === "equal" || key === "neq")
  ) {
    // `==`/`!=` are the commonest guards: compare in place (unless mocked)
    const [ga, gb] = gets as [Getter, Getter];
    const want = key === "equal";
    const lit = scalarOperand(inputs);
    if (lit) {
      // `input.kind == "file"`: a string, boolean or null equals only itself
      const { other, get, value } = lit;
      const equalsLiteral = literalTest(value);
      const memo = other.inputMemo;
      if (memo) {
        // `input.kind == "file"`: the input memo read in place
        const term = fromGetter((q, env) => {
          if (q.fnOverrides?.has(key)) return callSlow(q, env);
          let a: Value | undefined;
          if (memo.stamp === q.stamp) {
            q.track.impure = true;
            a = memo.value;
          } else a = get(q, env);
          return a === undefined ? undefined : equalsLiteral(a, value) === want;
        });
        term.truthy = (q, env) => {
          if (q.fnOverrides?.has(key)) return holds(callSlow(q, env));
          let a: Value | undefined;
          if (memo.stamp === q.stamp) {
            q.track.impure = true;
            a = memo.value;
          } else a = get(q, env);
          return a !== undefined && equalsLiteral(a, value) === want ? 1 : 0;
        };
        return term;
      }
      const term = fromGetter((q, env) => {
        if (q.fnOverrides?.has(key)) return callSlow(q, env);
        const a = get(q, env);
        return a === undefined ? undefined : equalsLiteral(a, value) === want;
      });
      term.truthy = (q, env) => {
        if (q.fnOverrides?.has(key)) return holds(callSlow(q, env));
        const a = get(q, env);
        return a !== undefined && equalsLiteral(a, value) === want ? 1 : 0;
      };
      return term;
    }
    return fromGetter((q, env) => {
      if (q.fnOverrides?.has(key)) return callSlow(q, env);
      const a = ga(q, env);
      if (a === undefined) return undefined;
      const b = gb(q, env);
      if (b === undefined) return undefined;
      return equal(a, b) === want;
    });
  }
  if (gets && callee.kind === "builtin" && callee.direct) {
    const def = cx.builtin(callee.name);
    if (def) {
      const mocked = (q: Query, args: readonly Value[]): Value | undefined => {
        let r: Value | undefined;
        call(q, args as Value[], (v) => {
          r = v;
          return true;
        });
        return r;
      };
      return directBuiltinCall(def, key, argsOf(inputs)!, loc, mocked, builtinFailure);
    }
  }
  if (gets) {
    const direct =
      callee.kind === "builtin" && callee.direct
        ? callee.direct
        : (q: Query, args: readonly Value[]): Value | undefined => {
            let r: Value | undefined;
            impl(q, args, (v) => {
              r = v;
              return true;
            });
            return r;
          };
    return fromGetter((q, env) => {
      const args = getAll(q, env, gets);
      if (!args) return undefined;
      if (q.fnOverrides?.has(key)) {
        let r: Value | undefined;
        call(q, args, (v) => {
          r = v;
          return true;
        });
        return r;
      }
      try {
        return direct(q, args);
      } catch (e) {
        if (e instanceof RegoError && !e.location) throw new RegoError(e.code, e.message, loc);
        throw e;
      }
    });
  }
  // Operands that may bind vars (refs like `a[x]`) run before plain vars.
  const order = t.args
    .slice(0, callee.arity)
    .map((a, i) => [a.type === "var" || a.type === "scalar" ? 1 : 0, i] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([, i]) => i);
  const inOrder = order.map((i) => inputs[i]!);
  return (q, env, k) =>
    evalAll(q, env, inOrder, 0, new Array(inOrder.length), (vals) => {
      const args = new Array<Value>(vals.length);
      for (let j = 0; j < order.length; j++) args[order[j]!] = vals[j]!;
      return call(q, args, (r) => (out ? unifyValue(q, env, out, r, () => k(true)) : k(r)));
    });
}
