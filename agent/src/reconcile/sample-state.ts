import type { MeshRule, NodeState } from "@tether/schema/wire";
import type { DesiredNode } from "./desired.ts";

/** Public keys (real WireGuard keys; no private key appears in tests). */
export const KEYS = {
  a: "jHw9mQc3vYWecukup+CYz6pFArIg/6xGvPdq66zjhm0=",
  b: "2LlEJpLpNJFMGpsGKYUON7QxPBLVrxnr1iNiqiksKRU=",
  c: "aZPZ6v/VjHDFB5D2iNhW2Wuh7mAzQjCJcr681NnICg8=",
  d: "FlnoCl6r+ULlZetjnh4VuwEF9N+tI4dwPNniJo6PC14=",
} as const;

const peer = (id: "b" | "c" | "d", n: number, groups: string[]) => ({
  id,
  name: id,
  public_key: KEYS[id],
  mesh_ip: `10.100.0.${n}`,
  endpoint: n === 2 ? `192.0.2.${n}:51820` : null,
  groups,
});

export const rule = (src: string, dst: string, patch: Partial<MeshRule> = {}): MeshRule => ({
  src,
  dst,
  port: 0,
  protocol: "",
  action: "allow",
  ...patch,
});

/** Node `a` (group web) with peers b (db), c (web), d (none); policies as given. */
export function sampleState(rules: MeshRule[], patch: Partial<NodeState> = {}): NodeState {
  return {
    revision: 7,
    seq: 70,
    node: {
      id: "a",
      name: "a",
      mesh_ip: "10.100.0.1",
      mesh_cidr: "10.100.0.0/16",
      mode: "enforce",
      groups: ["web"],
    },
    peers: [peer("b", 2, ["db"]), peer("c", 3, ["web"]), peer("d", 4, [])],
    policies: [{ id: "p1", name: "p1", description: "", rules, version: 1, revision: 7 }],
    rego_policies: [],
    signing_keys: [],
    ...patch,
  };
}

export function sampleDesired(rules: MeshRule[], patch: Partial<DesiredNode> = {}): DesiredNode {
  return {
    state: sampleState(rules),
    iface: "tether0",
    listenPort: 51820,
    privateKeyPath: "/var/lib/tether/private.key",
    publicKey: KEYS.a,
    ...patch,
  };
}
