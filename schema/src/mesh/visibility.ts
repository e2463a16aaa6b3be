import type { MeshRule } from "../wire/mesh.ts";
import { type MeshMember, MemberIndex, selects } from "./selectors.ts";

/**
 * Which peers a node may configure (DESIGN.md §5): deny by default; a peer
 * is visible when some **allow** rule names both nodes, in either
 * direction; deny rules never grant visibility; `*` matches any node.
 *
 * Cost: O(rules + matched members), using an index of the candidates.
 */
export function visiblePeers<T extends MeshMember>(
  local: MeshMember,
  candidates: MemberIndex<T> | readonly T[],
  rules: Iterable<Pick<MeshRule, "src" | "dst" | "action">>,
): T[] {
  const index = candidates instanceof MemberIndex ? candidates : new MemberIndex(candidates);
  const seen = new Set<string>([local.id]);
  // Selectors already taken: many rules naming the same group cost one walk of it.
  const taken = new Set<string>();
  const out: T[] = [];
  const take = (selector: string) => {
    if (taken.has(selector)) return;
    taken.add(selector);
    for (const peer of index.resolve(selector)) {
      if (!seen.has(peer.id)) {
        seen.add(peer.id);
        out.push(peer);
      }
    }
  };
  let wildcardTaken = false;
  for (const rule of rules) {
    if (rule.action !== "allow" || wildcardTaken) continue;
    const asSrc = selects(rule.src, local);
    const asDst = selects(rule.dst, local);
    if (asSrc) take(rule.dst);
    if (asDst) take(rule.src);
    // Once every candidate is visible, no later rule can add one.
    if ((asSrc && rule.dst === "*") || (asDst && rule.src === "*")) wildcardTaken = true;
  }
  return out;
}

/** Flattens policies to their rules (in policy order). */
export function* rulesOf(policies: Iterable<{ rules: readonly MeshRule[] }>): Iterable<MeshRule> {
  for (const p of policies) yield* p.rules;
}
