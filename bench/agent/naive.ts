/**
 * The seed's algorithm as written, extended to groups the obvious way: every
 * peer checked against every rule, every group selector resolved by
 * scanning every node. The baseline bench/agent compares against.
 */
import { selects } from "@tether/schema/mesh";
import type { MeshRule } from "@tether/schema/wire";

interface Node {
  id: string;
  groups: readonly string[];
  mesh_ip: string;
}

export function naiveFilterPeers<T extends Node>(
  peers: readonly T[],
  rules: readonly MeshRule[],
  local: Node,
): T[] {
  const out: T[] = [];
  for (const peer of peers) {
    for (const r of rules) {
      if (r.action !== "allow") continue;
      if (
        (selects(r.src, local) && selects(r.dst, peer)) ||
        (selects(r.dst, local) && selects(r.src, peer))
      ) {
        out.push(peer);
        break;
      }
    }
  }
  return out;
}

export function naiveBuildFirewallRules(
  rules: readonly MeshRule[],
  local: Node,
  peers: readonly Node[],
) {
  const byId = new Map(peers.map((p) => [p.id, p.mesh_ip]));
  byId.set(local.id, local.mesh_ip);
  const all = [local, ...peers];
  const resolve = (sel: string): string[] | null => {
    if (sel === "*") return ["0.0.0.0/0"];
    if (sel.startsWith("group:")) {
      const members = all.filter((p) => selects(sel, p)).map((p) => p.mesh_ip);
      return members.length ? members : null;
    }
    const ip = byId.get(sel);
    return ip ? [ip] : null;
  };
  const out: { src: string[]; dst: string[]; rule: MeshRule }[] = [];
  for (const r of rules) {
    if (!selects(r.src, local) && !selects(r.dst, local)) continue;
    const src = resolve(r.src);
    const dst = resolve(r.dst);
    if (src && dst) out.push({ src, dst, rule: r });
  }
  out.push({
    src: ["0.0.0.0/0"],
    dst: ["0.0.0.0/0"],
    rule: { src: "*", dst: "*", port: 0, protocol: "", action: "deny" },
  });
  return out;
}
