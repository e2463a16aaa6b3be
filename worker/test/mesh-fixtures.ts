import { and, asc, eq, gt } from "drizzle-orm";
import type { MeshRule } from "@tether/schema/wire";
import { auditLog, events, meshPolicies, nodes, orgs } from "@tether/schema/tables";
import { toBase64 } from "../src/services/base64.ts";
import { cryptoRandom, hashToken } from "../src/services/tokens.ts";
import { testDatabase } from "./fixtures.ts";

/** What a test says about a node it needs; everything else is made up. */
export interface NodeSpec {
  name?: string;
  groups?: string[];
  mode?: "enforce" | "audit" | "off";
  labels?: Record<string, string>;
}

export type NodeRow = typeof nodes.$inferSelect;

/**
 * Inserts nodes straight into the database (the register route is not
 * needed): random WireGuard keys and credentials, mesh IPs after the
 * org's existing ones. Returns the rows in the order of `specs`.
 */
export async function insertNodes(orgId: string, specs: NodeSpec[]): Promise<NodeRow[]> {
  const { db, close } = testDatabase();
  try {
    const existing = await db.$count(nodes, eq(nodes.orgId, orgId));
    const values = await Promise.all(
      specs.map(async (spec, i) => {
        const n = existing + i + 1;
        return {
          orgId,
          name: spec.name ?? `node-${n}`,
          hostname: `host-${n}.example`,
          publicKey: toBase64(cryptoRandom(32)),
          meshIp: `10.100.${Math.floor(n / 250)}.${(n % 250) + 1}`,
          groups: spec.groups ?? [],
          labels: spec.labels ?? {},
          mode: spec.mode ?? "enforce",
          credentialHash: await hashToken(`tk_node_${crypto.randomUUID()}`),
        };
      }),
    );
    return await db.insert(nodes).values(values).returning();
  } finally {
    await close();
  }
}

/** Inserts a mesh policy straight into the database (no revision bump, no events). */
export async function insertPolicy(
  orgId: string,
  rules: Partial<MeshRule>[],
  name = `policy-${crypto.randomUUID().slice(0, 8)}`,
): Promise<string> {
  const { db, close } = testDatabase();
  try {
    const full = rules.map((r) => ({ port: 0, protocol: "", action: "allow", ...r }) as MeshRule);
    const [row] = await db
      .insert(meshPolicies)
      .values({ orgId, name, rules: full, revision: 0 })
      .returning({ id: meshPolicies.id });
    return row!.id;
  } finally {
    await close();
  }
}

/** Sets the acknowledged-status columns of a node, as POST /v1/nodes/{id}/status would. */
export async function setNodeStatus(
  nodeId: string,
  status: Partial<
    Pick<NodeRow, "appliedRevision" | "desiredRevision" | "lastStatusAt" | "lastSeenAt">
  >,
): Promise<void> {
  const { db, close } = testDatabase();
  try {
    await db.update(nodes).set(status).where(eq(nodes.id, nodeId));
  } finally {
    await close();
  }
}

export interface EventRow {
  seq: number;
  type: string;
  revision: number;
  nodeIds: string[] | null;
  payload: Record<string, unknown>;
}

/** The org's stored events after `afterSeq`, oldest first. */
export async function eventsOf(orgId: string, afterSeq = 0): Promise<EventRow[]> {
  const { db, close } = testDatabase();
  try {
    const rows = await db
      .select()
      .from(events)
      .where(and(eq(events.orgId, orgId), gt(events.seq, afterSeq)))
      .orderBy(asc(events.seq));
    return rows.map((r) => ({
      seq: r.seq,
      type: r.eventType,
      revision: r.revision,
      nodeIds: r.nodeIds ? [...r.nodeIds].sort() : null,
      payload: r.payload,
    }));
  } finally {
    await close();
  }
}

/** The org's revision and last event sequence number. */
export async function orgCounters(orgId: string): Promise<{ revision: number; eventSeq: number }> {
  const { db, close } = testDatabase();
  try {
    const [row] = await db
      .select({ revision: orgs.revision, eventSeq: orgs.eventSeq })
      .from(orgs)
      .where(eq(orgs.id, orgId));
    return row!;
  } finally {
    await close();
  }
}

/** The org's audit rows, oldest first. */
export async function auditOf(orgId: string) {
  const { db, close } = testDatabase();
  try {
    return await db
      .select()
      .from(auditLog)
      .where(eq(auditLog.orgId, orgId))
      .orderBy(asc(auditLog.seq));
  } finally {
    await close();
  }
}

/** Sorted copy, for comparing node id sets. */
export const sorted = (ids: readonly string[]): string[] => [...ids].sort();
