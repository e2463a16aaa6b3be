import { RegoError } from "../errors.ts";
import type { Value } from "../value.ts";
import type { DocNode } from "./tree.ts";

/** Which documents each rule's node reads, collected while compiling bodies. */
export class DependencyGraph {
  readonly edges = new Map<DocNode, Set<DocNode>>();
  /** Node of the rule being compiled (undefined for queries). */
  current: DocNode | undefined;

  /** The current rule reads `target` (and, when `deep`, everything below it). */
  add(target: DocNode, deep: boolean): void {
    const from = this.current;
    if (!from) return;
    let set = this.edges.get(from);
    if (!set) {
      set = new Set();
      this.edges.set(from, set);
    }
    set.add(target);
    if (deep) for (const d of descendants(target)) set.add(d);
  }
}

function descendants(n: DocNode): DocNode[] {
  const out: DocNode[] = [];
  const walk = (x: DocNode) => {
    for (const c of x.children.values()) {
      out.push(c);
      walk(c);
    }
  };
  walk(n);
  return out;
}

const name = (n: DocNode) => ["data", ...n.path.map((p: Value) => String(p))].join(".");

/** Rules may not depend on themselves (OPA's `rego_recursion_error`). */
export function findRecursion(graph: DependencyGraph): RegoError[] {
  const errors: RegoError[] = [];
  const state = new Map<DocNode, 1 | 2>();
  const stack: DocNode[] = [];
  const reported = new Set<DocNode>();
  const visit = (n: DocNode): void => {
    state.set(n, 1);
    stack.push(n);
    for (const m of graph.edges.get(n) ?? []) {
      const s = state.get(m);
      if (s === 1) {
        const cycle = stack.slice(stack.indexOf(m));
        if (!reported.has(m)) {
          reported.add(m);
          const rule = m.rules[0] ?? m.dynamic[0] ?? m.defaultRule;
          const path = [...cycle, m].map(name).join(" -> ");
          errors.push(
            new RegoError(
              "rego_recursion_error",
              `rule ${name(m)} is recursive: ${path}`,
              rule?.loc,
            ),
          );
        }
      } else if (s === undefined) visit(m);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of graph.edges.keys()) if (!state.has(n)) visit(n);
  return errors;
}
