import type { Body, Expr, Term } from "../ast/nodes.ts";
import { type Location, RegoError } from "../errors.ts";
import type { Scope } from "./scope.ts";

/** What a literal needs bound before it runs, and what it binds. */
interface VarUse {
  readonly inputs: Map<number, Location>;
  readonly outputs: Set<number>;
}

/** Arity of a callee, to tell an output operand (`count(x, n)`) from inputs. */
export type ArityOf = (fn: Term, scope: Scope) => number | undefined;

function analyse(e: Expr, scope: Scope, arity: ArityOf): VarUse {
  const inputs = new Map<number, Location>();
  const outputs = new Set<number>();
  const visit = (t: Term, out: boolean): void => {
    switch (t.type) {
      case "var": {
        const s = scope.lookup(t.name);
        if (s === undefined) return;
        if (out) outputs.add(s);
        else if (!inputs.has(s)) inputs.set(s, t.loc);
        return;
      }
      case "ref":
        visit(t.head, false);
        for (const p of t.path) visit(p, true);
        return;
      case "array":
        for (const i of t.items) visit(i, out);
        return;
      case "set":
        for (const i of t.items) visit(i, false);
        return;
      case "object":
        for (const [k, v] of t.pairs) {
          visit(k, false);
          visit(v, out);
        }
        return;
      case "call": {
        const n = arity(t.fn, scope);
        t.args.forEach((a, i) => {
          visit(a, n !== undefined && i >= n);
        });
        return;
      }
      case "arraycompr":
      case "setcompr":
      case "objectcompr":
        freeVars(t, scope, (s, loc) => {
          if (!inputs.has(s)) inputs.set(s, loc);
        });
        return;
      case "template":
        for (const p of t.parts) {
          if (typeof p !== "string") {
            const u = analyse(p, scope, arity);
            for (const [s, l] of u.inputs) inputs.set(s, l);
            for (const s of u.outputs) if (!inputs.has(s)) inputs.set(s, p.loc);
          }
        }
        return;
      default:
        return;
    }
  };
  switch (e.kind) {
    case "term":
      visit(e.term, false);
      break;
    case "unify":
      visit(e.left, true);
      visit(e.right, true);
      break;
    case "assign":
      // `:=` binds its left side only: the right side is read (its vars must
      // be bound by other literals), apart from ref operands it iterates
      // (`v := obj[k]` binds k), as OPA checks it
      visit(e.left, true);
      visit(e.right, false);
      break;
    case "somein":
      if (e.key) visit(e.key, true);
      visit(e.value, true);
      visit(e.domain, false);
      break;
    case "every":
      visit(e.domain, false);
      freeVars(e, scope, (s, loc) => {
        if (!inputs.has(s)) inputs.set(s, loc);
      });
      break;
    case "some":
      break;
  }
  for (const w of e.with) visit(w.value, false);
  // a var the expression binds itself (`x == a[x]`) is not an input
  for (const s of outputs) inputs.delete(s);
  return { inputs, outputs };
}

/**
 * Vars of an enclosing scope used inside a comprehension or `every` body;
 * they must be bound before it runs.
 */
function freeVars(node: Term | Expr, scope: Scope, f: (slot: number, loc: Location) => void) {
  const seen = (t: Term) => {
    if (t.type === "var") {
      const s = scope.lookup(t.name, true);
      if (s !== undefined) f(s, t.loc);
    }
  };
  walkTerms(node, seen);
}

/** Visits every term below a node, including inside nested bodies. */
export function walkTerms(node: Term | Expr, f: (t: Term) => void): void {
  const term = (t: Term): void => {
    f(t);
    switch (t.type) {
      case "ref":
        term(t.head);
        for (const p of t.path) term(p);
        return;
      case "array":
      case "set":
        for (const i of t.items) term(i);
        return;
      case "object":
        for (const [k, v] of t.pairs) {
          term(k);
          term(v);
        }
        return;
      case "call":
        for (const a of t.args) term(a);
        return;
      case "arraycompr":
      case "setcompr":
        term(t.term);
        for (const e of t.body) expr(e);
        return;
      case "objectcompr":
        term(t.key);
        term(t.value);
        for (const e of t.body) expr(e);
        return;
      case "template":
        for (const p of t.parts) if (typeof p !== "string") expr(p);
        return;
      default:
        return;
    }
  };
  const expr = (e: Expr): void => {
    switch (e.kind) {
      case "term":
        term(e.term);
        break;
      case "unify":
      case "assign":
        term(e.left);
        term(e.right);
        break;
      case "some":
        for (const v of e.vars) term(v);
        break;
      case "somein":
        if (e.key) term(e.key);
        term(e.value);
        term(e.domain);
        break;
      case "every":
        if (e.key) term(e.key);
        term(e.value);
        term(e.domain);
        for (const b of e.body) expr(b);
        break;
    }
    for (const w of e.with) {
      term(w.target);
      term(w.value);
    }
  };
  if ("kind" in node) expr(node);
  else term(node);
}

/**
 * Orders a body so every literal's inputs are bound by earlier ones (OPA
 * keeps the written order where it can), and reports the first unsafe var.
 * Returns the ordered body, the slots bound before each of its literals,
 * and those bound after it.
 */
export function orderBody(
  body: Body,
  scope: Scope,
  bound: Set<number>,
  arity: ArityOf,
  enter: (e: Expr) => void = () => {},
): { body: Expr[]; bound: Set<number>; boundBefore: ReadonlySet<number>[] } {
  const uses = body.map((e) => {
    enter(e);
    return analyse(e, scope, arity);
  });
  // A negated literal binds nothing; vars only it mentions are its own (`not p[_]`).
  const counts = new Map<number, number>();
  uses.forEach((u) => {
    for (const s of new Set([...u.inputs.keys(), ...u.outputs]))
      counts.set(s, (counts.get(s) ?? 0) + 1);
  });
  const needs = body.map((e, i) => {
    const u = uses[i]!;
    if (!e.negated) return u.inputs;
    const m = new Map(u.inputs);
    for (const s of u.outputs) if ((counts.get(s) ?? 0) > 1 && !m.has(s)) m.set(s, e.loc);
    return m;
  });
  const out: Expr[] = [];
  const boundBefore: ReadonlySet<number>[] = [];
  const done = new Set<number>();
  const b = new Set(bound);
  while (done.size < body.length) {
    let picked = -1;
    for (let i = 0; i < body.length; i++) {
      if (done.has(i)) continue;
      let ok = true;
      for (const s of needs[i]!.keys()) {
        if (!b.has(s)) {
          ok = false;
          break;
        }
      }
      if (ok) {
        picked = i;
        break;
      }
    }
    if (picked < 0) {
      for (let i = 0; i < body.length; i++) {
        if (done.has(i)) continue;
        for (const [s, loc] of needs[i]!) {
          if (!b.has(s)) {
            const name = scope.slots.names[s] ?? "?";
            throw new RegoError("rego_unsafe_var_error", `var ${name} is unsafe`, loc);
          }
        }
      }
      break;
    }
    done.add(picked);
    out.push(body[picked]!);
    boundBefore.push(new Set(b));
    if (!body[picked]!.negated) for (const s of uses[picked]!.outputs) b.add(s);
  }
  return { body: out, bound: b, boundBefore };
}
