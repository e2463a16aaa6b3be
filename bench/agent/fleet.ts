import { randomBytes } from "node:crypto";
import type { MeshRule, NodeState, Peer } from "@tether/schema/wire";

/** A random 32-byte key in WireGuard's base64 form (public keys only; nothing secret). */
export const randomKey = () => randomBytes(32).toString("base64");

/**
 * A fleet of `peers` nodes in 100 groups (each node in one or two) and
 * `rules` mesh rules: group→group, node→group, node→node, some `*` and
 * some deny rules, about a quarter naming the local node `n0`.
 */
export function fleet(peers: number, rules: number): NodeState {
  const nodes: Peer[] = Array.from({ length: peers }, (_, i) => ({
    id: `n${i + 1}`,
    name: `n${i + 1}`,
    public_key: randomKey(),
    mesh_ip: `10.${100 + ((i + 2) >> 16)}.${((i + 2) >> 8) & 255}.${(i + 2) & 255}`,
    endpoint: i % 3 === 0 ? `192.0.2.${i % 250}:51820` : null,
    groups: i % 7 === 0 ? [`g${i % 100}`, `g${(i * 13) % 100}`] : [`g${i % 100}`],
  }));
  const g = (i: number) => `group:g${i % 100}`;
  const n = (i: number) => `n${1 + (i % peers)}`;
  const list: MeshRule[] = Array.from({ length: rules }, (_, i) => {
    const port = i % 5 === 0 ? 0 : 1 + ((i * 37) % 65535);
    const protocol = port === 0 ? "" : i % 2 ? "tcp" : "udp";
    const action = i % 10 === 9 ? "deny" : "allow";
    const base = { port, protocol, action } as const;
    switch (i % 8) {
      case 0:
        return { src: g(i), dst: "group:g0", ...base };
      case 1:
        return { src: n(i * 7), dst: "n0", ...base };
      case 2:
        return { src: "n0", dst: g(i * 3), ...base };
      case 3:
        return { src: "*", dst: "group:g1", ...base, action: "deny" };
      default:
        return { src: g(i), dst: i % 2 ? n(i * 11) : g(i * 17), ...base };
    }
  });
  return {
    revision: 1,
    seq: 1,
    node: {
      id: "n0",
      name: "n0",
      mesh_ip: "10.100.0.1",
      mesh_cidr: "10.100.0.0/16",
      mode: "enforce",
      groups: ["g0", "g1"],
    },
    peers: nodes,
    policies: [
      { id: "bench", name: "bench", description: "", rules: list, version: 1, revision: 1 },
    ],
    rego_policies: [],
    signing_keys: [],
  };
}
