import type { Body, Expr, Term } from "../ast/nodes.ts";
import type { Value } from "../value.ts";

/** Where a name outside the local scope points: `input`, `data`, or a path under `data`. */
export interface GlobalRef {
  readonly root: "data" | "input";
  readonly path: readonly Value[];
}

/** Names a module can see besides its locals. */
export interface ModuleCtx {
  readonly file: string;
  readonly pkg: readonly string[];
  readonly imports: ReadonlyMap<string, GlobalRef>;
  readonly ruleNames: ReadonlySet<string>;
  /** Parsed as Rego v0 (deprecated builtins stay callable there). */
  readonly v0?: boolean;
  /** The package's METADATA block, if any. */
  readonly annotations?: Record<string, unknown> | undefined;
}

/** Allocates variable slots for one rule (or query) evaluation. */
export class SlotCounter {
  n = 0;
  readonly names: string[] = [];
  next(name: string): number {
    this.names.push(name);
    return this.n++;
  }
}

/** A lexical scope: a rule body, a comprehension or an `every` body. */
export class Scope {
  readonly vars = new Map<string, number>();
  /**
   * Names assigned with `:=` later in this body than the literal being
   * compiled: nested comprehensions do not see them yet.
   */
  hidden: ReadonlySet<string> | undefined;
  /**
   * Slots certainly bound where the term being compiled runs (from the
   * safety ordering): a ref operand on one of them is a lookup, not a search.
   */
  bound: ReadonlySet<number> | undefined;

  constructor(
    readonly parent: Scope | undefined,
    readonly slots: SlotCounter,
    readonly mod: ModuleCtx | undefined,
  ) {}

  lookup(name: string, fromChild = false): number | undefined {
    if (fromChild && this.hidden?.has(name)) return this.parent?.lookup(name, true);
    return this.vars.get(name) ?? this.parent?.lookup(name, true);
  }

  declare(name: string): number {
    const s = this.slots.next(name);
    if (name !== "_") this.vars.set(name, s);
    return s;
  }

  global(name: string): GlobalRef | undefined {
    if (name === "input") return { root: "input", path: [] };
    if (name === "data") return { root: "data", path: [] };
    const m = this.mod;
    if (!m) return undefined;
    const imp = m.imports.get(name);
    if (imp) return imp;
    if (m.ruleNames.has(name)) return { root: "data", path: [...m.pkg, name] };
    return undefined;
  }

  /**
   * Before compiling a body: declare its `some`/`:=` vars, and give every
   * other local name used directly in it a slot unless an outer scope or a
   * global already owns it.
   */
  prepare(body: Body): void {
    for (const e of body) for (const n of declaredNames(e)) if (!this.vars.has(n)) this.declare(n);
    for (const e of body) {
      forEachDirectVar(e, (name) => {
        if (name === "_" || this.lookup(name) !== undefined) return;
        if (this.global(name)) return;
        this.declare(name);
      });
    }
  }
}

/** Names a literal declares (`some x`, `x := ...`, `some k, v in ...`). */
export function declaredNames(e: Expr): string[] {
  const out: string[] = [];
  const patternVars = (t: Term) => forEachPatternVar(t, (n) => out.push(n));
  if (e.kind === "some") for (const v of e.vars) out.push(v.name);
  if (e.kind === "assign") patternVars(e.left);
  if (e.kind === "somein") {
    if (e.key) patternVars(e.key);
    patternVars(e.value);
  }
  return out.filter((n) => n !== "_");
}

/** Vars in pattern positions (bare vars, array elements, object values). */
export function forEachPatternVar(t: Term, f: (name: string) => void): void {
  if (t.type === "var") f(t.name);
  else if (t.type === "array") for (const i of t.items) forEachPatternVar(i, f);
  else if (t.type === "object") for (const [, v] of t.pairs) forEachPatternVar(v, f);
}

/** Every var used directly in a literal (not inside comprehension or `every` bodies). */
export function forEachDirectVar(e: Expr, f: (name: string) => void): void {
  const term = (t: Term) => forEachTermVar(t, f);
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
      for (const v of e.vars) f(v.name);
      break;
    case "somein":
      if (e.key) term(e.key);
      term(e.value);
      term(e.domain);
      break;
    case "every":
      term(e.domain);
      break;
  }
  for (const w of e.with) if (w.value.type !== "var" && w.value.type !== "ref") term(w.value);
}

export function forEachTermVar(t: Term, f: (name: string) => void): void {
  switch (t.type) {
    case "var":
      f(t.name);
      return;
    case "ref":
      forEachTermVar(t.head, f);
      for (const p of t.path) forEachTermVar(p, f);
      return;
    case "array":
    case "set":
      for (const i of t.items) forEachTermVar(i, f);
      return;
    case "object":
      for (const [k, v] of t.pairs) {
        forEachTermVar(k, f);
        forEachTermVar(v, f);
      }
      return;
    case "call":
      // the callee names a function, not a variable
      for (const a of t.args) forEachTermVar(a, f);
      return;
    default:
      return;
  }
}
