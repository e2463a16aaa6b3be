import { MemberIndex, ruleConcerns, rulesOf, visiblePeers } from "@tether/schema/mesh";
import { meshPolicies, nodes } from "@tether/schema/tables";
import type {
  EdgePolicy,
  MeshPolicy,
  NodeMode,
  NodeState,
  Peer,
  SigningKeyInfo,
} from "@tether/schema/wire";
import { eq } from "drizzle-orm";
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
  const [nodeRows, policies] = await Promise.all([loadNodes(tx, orgId), loadPolicies(tx, orgId)]);
  return { nodes: new MemberIndex(nodeRows), policies };
}

/**
 * The mesh after a change: only the parts the change says it touched are
 * read again (a policy write leaves the nodes as they were, and so on), and
 * not even those when the change hands back the policies as they now are.
 */
export async function reloadMesh(
  tx: Tx,
  orgId: string,
  before: Mesh,
  changed: { policies?: readonly string[]; nodes?: readonly string[] },
  policiesAfter?: MeshPolicy[],
): Promise<Mesh> {
  const nodesChanged = (changed.nodes?.length ?? 0) > 0;
  const policiesChanged = (changed.policies?.length ?? 0) > 0;
  return {
    nodes: nodesChanged ? new MemberIndex(await loadNodes(tx, orgId)) : before.nodes,
    policies: policiesChanged
      ? (policiesAfter ?? (await loadPolicies(tx, orgId)))
      : before.policies,
  };
}

function loadNodes(tx: Tx, orgId: string): Promise<MeshNode[]> {
  return tx
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
    .orderBy(nodes.meshIp);
}

async function loadPolicies(tx: Tx, orgId: string): Promise<MeshPolicy[]> {
  const rows = await tx
    .select()
    .from(meshPolicies)
    .where(eq(meshPolicies.orgId, orgId))
    .orderBy(meshPolicies.createdAt);
  return rows.map(meshPolicyOf);
}

/** A stored policy row as the mesh model holds it. */
export function meshPolicyOf(p: typeof meshPolicies.$inferSelect): MeshPolicy {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    rules: p.rules,
    version: p.version,
    revision: p.revision,
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
  regoPolicies: EdgePolicy[],
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
    rego_policies: regoPolicies,
    signing_keys: org.signingKeys,
  };
}
