import type { Module, Rule, Term } from "../ast/nodes.ts";
import type { BuiltinDef } from "../builtins/types.ts";
import { RegoError } from "../errors.ts";
import { languageBuiltins } from "../eval/language.ts";
import type { Value } from "../value.ts";
import type { CompileCtx } from "./context.ts";
import { MetadataIndex } from "./metadata.ts";
import { DependencyGraph, findRecursion } from "./recursion.ts";
import { inputMemo } from "./refs.ts";
import { indexTree } from "./rule-index.ts";
import { compileRule, ruleKind, splitHead } from "./rules.ts";
import { declaredNames, type GlobalRef, type ModuleCtx } from "./scope.ts";
import { type CompiledRule, DocNode } from "./tree.ts";

/** Thrown by `compile` with every error found. */
export class RegoCompileErrors extends Error {
  constructor(readonly errors: readonly RegoError[]) {
    super(errors.map((e) => e.render()).join("\n"));
    this.name = "RegoCompileErrors";
  }
}

export interface CompiledPolicy {
  readonly root: DocNode;
  readonly cx: CompileCtx;
  readonly modules: readonly Module[];
}

function importsOf(m: Module): Map<string, GlobalRef> {
  const out = new Map<string, GlobalRef>();
  for (const imp of m.imports) {
    const t = imp.path;
    const head = t.type === "ref" ? t.head : t;
    if (head.type !== "var" || (head.name !== "data" && head.name !== "input")) continue;
    const path = t.type === "ref" ? t.path.map((p) => (p.type === "scalar" ? p.value : "")) : [];
    const alias = imp.alias ?? (path.length > 0 ? String(path[path.length - 1]) : head.name);
    out.set(alias, { root: head.name, path });
  }
  return out;
}

/** Builds the rule tree and compiles every rule; throws `RegoCompileErrors`. */
export function compilePolicy(
  modules: readonly Module[],
  builtin: (name: string) => BuiltinDef | undefined,
  codegen = true,
): CompiledPolicy {
  const root = new DocNode(null, [], undefined);
  const cx: CompileCtx = {
    root,
    builtin,
    language: languageBuiltins,
    errors: [],
    current: undefined,
    deps: new DependencyGraph(),
    metadata: new MetadataIndex(modules),
    inputMemos: new Map(),
    codegen,
  };
  const ruleNames = new Map<string, Set<string>>();
  for (const m of modules) {
    const key = [...m.pkg].join(".");
    const names = ruleNames.get(key) ?? new Set<string>();
    for (const r of m.rules) {
      const h = r.head.ref[0]!;
      if (h.type === "var") names.add(h.name);
    }
    ruleNames.set(key, names);
  }
  // Place every rule in the tree before compiling bodies, so refs resolve to nodes.
  const placed: { m: Module; ctx: ModuleCtx; node: DocNode; r: Module["rules"][number] }[] = [];
  /** Each compiled rule's module, to compile it again for the rule index. */
  const moduleOf = new Map<CompiledRule, ModuleCtx>();
  for (const m of modules) {
    const pkg: Value[] = [...m.pkg];
    const ctx: ModuleCtx = {
      file: m.file,
      pkg: pkg as string[],
      imports: importsOf(m),
      ruleNames: ruleNames.get(pkg.join(".")) ?? new Set(),
      annotations: m.annotations,
      v0: m.v0,
    };
    let pkgNode = root;
    for (const k of pkg) pkgNode = pkgNode.ensure(k);
    for (const r of m.rules) {
      let node = pkgNode;
      for (const k of splitHead(r).prefix) node = node.ensure(k);
      if (r.head.args) node.arity = r.head.args.length;
      else node.defines = true;
      placed.push({ m, ctx, node, r });
    }
  }
  for (const { ctx, node, r } of placed) {
    cx.deps.current = node;
    try {
      const c = compileRule(cx, r, ctx);
      moduleOf.set(c, ctx);
      if (c.suffix.length > 0) node.dynamic.push(c);
      else if (r.isDefault) {
        if (node.defaultRule) {
          throw new RegoError("rego_type_error", "multiple default rules found", r.loc);
        }
        node.defaultRule = c;
      } else node.rules.push(c);
      const kinds = new Set(
        [...node.rules, ...(node.defaultRule ? [node.defaultRule] : [])].map((x) => x.kind),
      );
      if (kinds.size > 1 || (kinds.has("function") && node.dynamic.length > 0)) {
        throw new RegoError(
          "rego_type_error",
          `conflicting rules ${node.path.join(".")} found`,
          r.loc,
        );
      }
      if (c.kind === "function" && ruleKind(r) === "function") {
        const arity = (node.rules[0] ?? node.defaultRule)!.params.length;
        if (c.params.length !== arity) {
          throw new RegoError(
            "rego_type_error",
            `conflicting rules ${node.path.join(".")} found`,
            r.loc,
          );
        }
      }
    } catch (e) {
      if (e instanceof RegoError) {
        cx.errors.push(e.location ? e : new RegoError(e.code, e.message, r.loc));
      } else throw e;
    }
  }
  cx.deps.current = undefined;
  if (cx.errors.length === 0) cx.errors.push(...findRecursion(cx.deps));
  if (cx.errors.length > 0) throw new RegoCompileErrors(cx.errors);
  indexTree(
    root,
    (path) => inputMemo(cx, path),
    (c, literal) => {
      const ctx = moduleOf.get(c);
      if (!ctx || c.ast.elses.length > 0) return undefined;
      try {
        return compileRule(
          cx,
          c.ast,
          ctx,
          c.ast.body.filter((e) => e !== literal),
        );
      } catch (e) {
        // compiled once already: a second compile of less cannot fail, but keep the rule if it does
        if (e instanceof RegoError) return undefined;
        throw e;
      }
    },
    (c, term) => {
      const ctx = moduleOf.get(c);
      return ctx ? resolveDocTerm(root, ctx, c.ast, term) : undefined;
    },
  );
  return { root, cx, modules };
}

/**
 * The node of this policy's tree a rule body's term names, resolved as the
 * rule's scope resolves it (a rule name of the package, an import, or
 * `data...` with constant segments); undefined for anything else, and for a
 * name the body declares locally.
 */
function resolveDocTerm(
  root: DocNode,
  ctx: ModuleCtx,
  rule: Rule,
  term: Term,
): DocNode | undefined {
  let name: string;
  let rest: readonly Term[] = [];
  if (term.type === "var") name = term.name;
  else if (term.type === "ref" && term.head.type === "var") {
    name = term.head.name;
    rest = term.path;
  } else return undefined;
  if (rule.head.args || rule.body.some((e) => declaredNames(e).includes(name))) return undefined;
  const g: GlobalRef | undefined =
    name === "data"
      ? { root: "data", path: [] }
      : (ctx.imports.get(name) ??
        (ctx.ruleNames.has(name) ? { root: "data", path: [...ctx.pkg, name] } : undefined));
  if (g?.root !== "data") return undefined;
  let node: DocNode | undefined = root;
  for (const key of g.path) node = node?.child(key);
  for (const p of rest) {
    if (p.type !== "scalar") return undefined;
    node = node?.child(p.value);
  }
  return node;
}
