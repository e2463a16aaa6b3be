import { eq } from "drizzle-orm";
import { MemberIndex, ruleConcerns, rulesOf, visiblePeers } from "@tether/schema/mesh";
import { meshPolicies, nodes } from "@tether/schema/tables";
import type { MeshPolicy, NodeMode, NodeState, Peer, SigningKeyInfo } from "@tether/schema/wire";
import type { Tx } from "../audit.ts";

/** A node as the mesh computations see it. */
export interface MeshNode {
  id: string;
  name: string;
  groups: string[];
  publicKey: string;
  meshIp: string;
  endpoint: string | null;
  mode: NodeMode;
}

/** An org's whole mesh: its nodes (indexed) and its mesh policies. */
export interface Mesh {
  nodes: MemberIndex<MeshNode>;
  policies: MeshPolicy[];
}

export async function loadMesh(tx: Tx, orgId: string): Promise<Mesh> {
  const [nodeRows, policyRows] = await Promise.all([
    tx
      .select({
        id: nodes.id,
        name: nodes.name,
        groups: nodes.groups,
        publicKey: nodes.publicKey,
        meshIp: nodes.meshIp,
        endpoint: nodes.endpoint,
        mode: nodes.mode,
      })
      .from(nodes)
      .where(eq(nodes.orgId, orgId))
      .orderBy(nodes.meshIp),
    tx
      .select()
      .from(meshPolicies)
      .where(eq(meshPolicies.orgId, orgId))
      .orderBy(meshPolicies.createdAt),
  ]);
  return {
    nodes: new MemberIndex(nodeRows),
    policies: policyRows.map((p) => ({
      id: p.id,
      name: p.name,
      description: p.description,
      rules: p.rules,
      version: p.version,
      revision: p.revision,
    })),
  };
}

export function peerOf(n: MeshNode): Peer {
  return {
    id: n.id,
    name: n.name,
    public_key: n.publicKey,
    mesh_ip: n.meshIp,
    endpoint: n.endpoint,
    groups: n.groups,
  };
}

/** Policies with at least one rule naming the node. */
export function policiesConcerning(mesh: Mesh, node: MeshNode): MeshPolicy[] {
  return mesh.policies.filter((p) => p.rules.some((r) => ruleConcerns(r, node)));
}

export function visibleTo(mesh: Mesh, node: MeshNode): MeshNode[] {
  return visiblePeers(node, mesh.nodes, rulesOf(mesh.policies));
}

/** The desired state of one node (what `GET /v1/nodes/{id}/state` returns). */
export function stateFor(
  mesh: Mesh,
  node: MeshNode,
  org: { revision: number; seq: number; meshCidr: string; signingKeys: SigningKeyInfo[] },
): NodeState {
  return {
    revision: org.revision,
    seq: org.seq,
    node: {
      id: node.id,
      name: node.name,
      mesh_ip: node.meshIp,
      mesh_cidr: org.meshCidr,
      mode: node.mode,
      groups: node.groups,
    },
    peers: visibleTo(mesh, node).map(peerOf),
    policies: policiesConcerning(mesh, node),
    signing_keys: org.signingKeys,
  };
}
