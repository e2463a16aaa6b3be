import { MemberIndex } from "@tether/schema/mesh";
import type { MeshPolicy } from "@tether/schema/wire";
import { sql } from "drizzle-orm";
import type { AuditHead, Tx } from "../audit.ts";
import type { StoredKey } from "../signing.ts";
import type { Mesh, MeshNode } from "./model.ts";

/** What a mesh write reads under the org lock before it changes anything. */
export interface WriteContext {
  /** The mesh as it is now. */
  mesh: Mesh;
  /** The newest row of the org's audit chain. */
  auditHead: AuditHead | null;
  /** The org's active signing key; null before the org's first write. */
  activeKey: StoredKey | null;
}

/**
 * Reads the mesh (nodes in mesh-IP order, policies in creation order), the
 * audit chain's head and the active signing key in ONE statement. Run it
 * after the org lock is taken: each statement of a READ COMMITTED
 * transaction sees every write committed before it started, so nothing
 * another writer committed can be missing here.
 */
export async function loadWriteContext(tx: Tx, orgId: string): Promise<WriteContext> {
  const result = await tx.execute(sql`
    select
      (select coalesce(json_agg(json_build_object(
          'id', n.id, 'name', n.name, 'groups', n.groups, 'publicKey', n.public_key,
          'meshIp', n.mesh_ip, 'endpoint', n.endpoint, 'mode', n.mode) order by n.mesh_ip), '[]')
        from nodes n where n.org_id = ${orgId}) as nodes,
      (select coalesce(json_agg(json_build_object(
          'id', p.id, 'name', p.name, 'description', p.description, 'rules', p.rules,
          'version', p.version, 'revision', p.revision) order by p.created_at), '[]')
        from mesh_policies p where p.org_id = ${orgId}) as policies,
      (select json_build_object('seq', a.seq, 'hash', a.hash)
        from audit_log a where a.org_id = ${orgId} order by a.seq desc limit 1) as audit_head,
      (select json_build_object(
          'id', k.id, 'orgId', k.org_id, 'publicKey', k.public_key,
          'privateKeyEncrypted', k.private_key_encrypted)
        from signing_keys k where k.org_id = ${orgId} and k.status = 'active'
        order by k.created_at desc limit 1) as active_key`);
  const row = result.rows[0] as {
    nodes: MeshNode[] | string;
    policies: MeshPolicy[] | string;
    audit_head: AuditHead | string | null;
    active_key: StoredKey | string | null;
  };
  // The driver parses json columns; parse defensively in case it hands back text.
  const json = <T>(v: T | string): T => (typeof v === "string" ? (JSON.parse(v) as T) : v);
  return {
    mesh: { nodes: new MemberIndex(json(row.nodes)), policies: json(row.policies) },
    auditHead: row.audit_head === null ? null : json(row.audit_head),
    activeKey: row.active_key === null ? null : json(row.active_key),
  };
}
