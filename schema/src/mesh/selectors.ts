import type { MeshRule } from "../wire/mesh.ts";

/** What selectors match against: a node's id and groups. */
export interface MeshMember {
  id: string;
  groups: readonly string[];
}

/** Does `selector` (node id, `group:<name>`, `*`) name this node? */
export function selects(selector: string, node: MeshMember): boolean {
  if (selector === "*") return true;
  if (selector.startsWith("group:")) return node.groups.includes(selector.slice(6));
  return selector === node.id;
}

/** Does the rule name this node as its source or destination? */
export function ruleConcerns(rule: Pick<MeshRule, "src" | "dst">, node: MeshMember): boolean {
  return selects(rule.src, node) || selects(rule.dst, node);
}

/**
 * Members indexed by id and by group, so a selector resolves in time
 * proportional to what it matches rather than to the fleet.
 */
export class MemberIndex<T extends MeshMember> {
  readonly all: readonly T[];
  readonly byId = new Map<string, T>();
  readonly byGroup = new Map<string, T[]>();

  constructor(members: readonly T[]) {
    this.all = members;
    for (const m of members) {
      this.byId.set(m.id, m);
      for (const g of m.groups) {
        const list = this.byGroup.get(g);
        if (list) list.push(m);
        else this.byGroup.set(g, [m]);
      }
    }
  }

  /** Members a selector names; unknown ids and empty groups name nobody. */
  resolve(selector: string): readonly T[] {
    if (selector === "*") return this.all;
    if (selector.startsWith("group:")) return this.byGroup.get(selector.slice(6)) ?? [];
    const one = this.byId.get(selector);
    return one ? [one] : [];
  }
}
