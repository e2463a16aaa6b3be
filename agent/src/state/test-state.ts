import type { NodeState } from "@tether/schema/wire";

export const NODE_ID = "00000000-0000-4000-8000-000000000001";
export const PEER_A = "00000000-0000-4000-8000-00000000000a";
export const PEER_B = "00000000-0000-4000-8000-00000000000b";

/** A small desired state for tests. */
export function sampleState(over: Partial<NodeState> = {}): NodeState {
  return {
    revision: 1,
    seq: 1,
    node: {
      id: NODE_ID,
      name: "n1",
      mesh_ip: "10.100.0.1",
      mesh_cidr: "10.100.0.0/16",
      mode: "enforce",
      groups: ["web"],
    },
    peers: [
      {
        id: PEER_A,
        name: "a",
        public_key: `${"A".repeat(43)}=`,
        mesh_ip: "10.100.0.10",
        endpoint: "192.0.2.10:51820",
        groups: [],
      },
    ],
    policies: [],
    rego_policies: [],
    signing_keys: [],
    ...over,
  };
}
