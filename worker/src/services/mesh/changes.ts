import { ruleConcerns } from "@tether/schema/mesh";
import type { MeshPolicy } from "@tether/schema/wire";
import type { NewEvent } from "../events.ts";
import { type Mesh, type MeshNode, peerOf, visibleTo } from "./model.ts";

/**
 * The events a change of the mesh produces, by comparing the mesh before
 * and after it. Only nodes whose view can have changed are examined:
 * for policy changes, the nodes the old or new rules name; for node
 * changes, the changed nodes and the peers that saw them before or after.
 */
export function meshChangeEvents(
  before: Mesh,
  after: Mesh,
  changed: { policies?: readonly string[]; nodes?: readonly string[] },
): NewEvent[] {
  const out: NewEvent[] = [];
  const pairs = new PairDiff();

  for (const policyId of changed.policies ?? []) {
    const old = before.policies.find((p) => p.id === policyId);
    const now = after.policies.find((p) => p.id === policyId);
    const concerned = nodesNamedBy([old, now], [before, after]);
    out.push({
      type: "policy_updated",
      nodeIds: everyNode(concerned, after) ? null : [...concerned],
      payload: { policy_id: policyId, policy: now ?? null },
    });
    for (const id of concerned) {
      const b = before.nodes.byId.get(id);
      const a = after.nodes.byId.get(id);
      pairs.compare(
        id,
        b ? ids(visibleTo(before, b)) : new Set(),
        a ? ids(visibleTo(after, a)) : new Set(),
      );
    }
  }

  for (const nodeId of changed.nodes ?? []) {
    const b = before.nodes.byId.get(nodeId);
    const a = after.nodes.byId.get(nodeId);
    const seenBefore = b ? ids(visibleTo(before, b)) : new Set<string>();
    const seenAfter = a ? ids(visibleTo(after, a)) : new Set<string>();
    // Visibility is symmetric: whoever gained or lost this node, this node gained or lost.
    pairs.compare(nodeId, seenBefore, seenAfter);
    for (const peer of seenAfter) if (!seenBefore.has(peer)) pairs.add(peer, nodeId);
    for (const peer of seenBefore) if (!seenAfter.has(peer)) pairs.remove(peer, nodeId);
    if (a && b && peerChanged(b, a)) {
      for (const peer of seenAfter) if (seenBefore.has(peer)) pairs.update(peer, nodeId);
    }
    if (a && b) {
      if (!sameGroups(a.groups, b.groups)) {
        // Which policies concern it changed too: the node refetches its whole state.
        out.push({
          type: "snapshot_required",
          nodeIds: [nodeId],
          payload: { reason: "groups_changed" },
        });
      } else if (a.mode !== b.mode || a.name !== b.name) {
        out.push({
          type: "node_updated",
          nodeIds: [nodeId],
          payload: { node: { id: a.id, name: a.name, mode: a.mode, groups: a.groups } },
        });
      }
    }
  }

  out.push(...pairs.events(after));
  return out;
}

/** Nodes (in either mesh) named by any rule of the given policies. */
function nodesNamedBy(policies: (MeshPolicy | undefined)[], meshes: Mesh[]): Set<string> {
  const named = new Set<string>();
  for (const mesh of meshes) {
    for (const policy of policies) {
      if (!policy) continue;
      for (const node of mesh.nodes.all) {
        if (!named.has(node.id) && policy.rules.some((r) => ruleConcerns(r, node)))
          named.add(node.id);
      }
    }
  }
  return named;
}

const ids = (list: readonly MeshNode[]) => new Set(list.map((n) => n.id));

/** True when `set` names every node of the mesh: the event then goes to all (null). */
function everyNode(set: ReadonlySet<string>, mesh: Mesh): boolean {
  return set.size >= mesh.nodes.all.length && mesh.nodes.all.every((n) => set.has(n.id));
}

function sameGroups(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((g) => b.includes(g));
}

function peerChanged(b: MeshNode, a: MeshNode): boolean {
  return (
    a.name !== b.name ||
    a.publicKey !== b.publicKey ||
    a.meshIp !== b.meshIp ||
    a.endpoint !== b.endpoint ||
    !sameGroups(a.groups, b.groups)
  );
}

/** (viewer, peer) pairs that were gained, lost or changed, grouped by peer into events. */
class PairDiff {
  readonly #added = new Map<string, Set<string>>();
  readonly #removed = new Map<string, Set<string>>();
  readonly #updated = new Map<string, Set<string>>();

  compare(viewer: string, before: Set<string>, after: Set<string>): void {
    for (const p of after) if (!before.has(p)) this.add(viewer, p);
    for (const p of before) if (!after.has(p)) this.remove(viewer, p);
  }
  add(viewer: string, peer: string): void {
    put(this.#added, peer, viewer);
  }
  remove(viewer: string, peer: string): void {
    put(this.#removed, peer, viewer);
  }
  update(viewer: string, peer: string): void {
    put(this.#updated, peer, viewer);
  }

  events(after: Mesh): NewEvent[] {
    const out: NewEvent[] = [];
    // Removals first: access shrinks before anything new is configured.
    for (const [peer, viewers] of this.#removed) {
      const live = [...viewers].filter((v) => after.nodes.byId.has(v));
      if (live.length > 0)
        out.push({ type: "peer_removed", nodeIds: live, payload: { peer_id: peer } });
    }
    for (const [kind, map] of [
      ["peer_added", this.#added],
      ["peer_updated", this.#updated],
    ] as const) {
      for (const [peer, viewers] of map) {
        const node = after.nodes.byId.get(peer);
        if (!node) continue;
        const live = [...viewers].filter((v) => after.nodes.byId.has(v));
        if (live.length > 0)
          out.push({ type: kind, nodeIds: live, payload: { peer: peerOf(node) } });
      }
    }
    return out;
  }
}

function put(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key);
  if (set) set.add(value);
  else map.set(key, new Set([value]));
}
