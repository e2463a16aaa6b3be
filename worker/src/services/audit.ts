import { auditLog, orgs } from "@tether/schema/tables";
import { desc, eq, sql } from "drizzle-orm";
import { canonicalJson, sha256Hex } from "./canonical-json.ts";
import type { Database } from "./db.ts";

/** A transaction or the database itself: both run queries. */
export type Tx = Database | Parameters<Parameters<Database["transaction"]>[0]>[0];

export interface AuditEntry {
  orgId: string;
  actorType: "api_key" | "node" | "system";
  actorId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
  at: Date;
}

export const GENESIS_HASH = "0".repeat(64);

/** The text a row's hash covers; `GET /api/audit/verify` recomputes it. */
export function auditHashInput(prevHash: string, seq: number, e: AuditEntry): string {
  return `${prevHash}\n${canonicalJson({
    seq,
    org_id: e.orgId,
    actor_type: e.actorType,
    actor_id: e.actorId,
    action: e.action,
    target_type: e.targetType,
    target_id: e.targetId,
    before: e.before ?? null,
    after: e.after ?? null,
    request_id: e.requestId,
    created_at: e.at,
  })}`;
}

/**
 * Locks the org's row for the rest of the transaction. Every mutating call
 * takes this lock first, which serialises revision bumps and the audit chain
 * per org without blocking other orgs.
 */
export async function lockOrg(tx: Tx, orgId: string): Promise<{ revision: number }> {
  const [row] = await tx
    .select({ revision: orgs.revision })
    .from(orgs)
    .where(eq(orgs.id, orgId))
    .for("update");
  if (!row) throw new Error(`org ${orgId} does not exist`);
  return row;
}

/**
 * Bumps the org's revision; returns it and the org's event sequence. The
 * UPDATE takes the org's row lock itself, so it can open a transaction in
 * place of {@link lockOrg}.
 */
export async function bumpRevision(
  tx: Tx,
  orgId: string,
): Promise<{ revision: number; eventSeq: number }> {
  const [row] = await tx
    .update(orgs)
    .set({ revision: sql`${orgs.revision} + 1` })
    .where(eq(orgs.id, orgId))
    .returning({ revision: orgs.revision, eventSeq: orgs.eventSeq });
  if (!row) throw new Error(`org ${orgId} does not exist`);
  return row;
}

/** The newest row of an org's chain (none yet: null). */
export interface AuditHead {
  seq: number;
  hash: string;
}

/** The row that follows `head` in the org's chain, its hash computed. */
export async function chainedAuditRow(
  head: AuditHead | null,
  entry: AuditEntry,
): Promise<typeof auditLog.$inferInsert> {
  const seq = (head?.seq ?? 0) + 1;
  const prevHash = head?.hash ?? GENESIS_HASH;
  const hash = await sha256Hex(auditHashInput(prevHash, seq, entry));
  return {
    orgId: entry.orgId,
    seq,
    actorType: entry.actorType,
    actorId: entry.actorId,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    before: entry.before ?? null,
    after: entry.after ?? null,
    requestId: entry.requestId,
    prevHash,
    hash,
    createdAt: entry.at,
  };
}

/** Appends one hash-chained row; call inside a transaction holding {@link lockOrg}. */
export async function writeAudit(tx: Tx, entry: AuditEntry): Promise<void> {
  const [last] = await tx
    .select({ seq: auditLog.seq, hash: auditLog.hash })
    .from(auditLog)
    .where(eq(auditLog.orgId, entry.orgId))
    .orderBy(desc(auditLog.seq))
    .limit(1);
  await tx.insert(auditLog).values(await chainedAuditRow(last ?? null, entry));
}
