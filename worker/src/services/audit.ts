import { auditLog, orgs } from "@tether/schema/tables";
import { desc, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/neon-serverless";
import { canonicalJson, sha256Hex } from "./canonical-json.ts";
import { type Database, poolOf } from "./db.ts";
import { isUuid } from "./uuid.ts";

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

/** The org's new revision and its event sequence, from the bump that opened a write. */
export interface Bumped {
  revision: number;
  eventSeq: number;
}

/**
 * Runs `work` in a transaction that opens by bumping the org's revision,
 * which takes the org's row lock (in place of {@link lockOrg}): writes of
 * one org are serialised from the first statement. BEGIN and the bump go
 * in ONE simple-protocol message, a round trip fewer than drizzle's
 * `transaction` (BEGIN, then the UPDATE). That protocol takes no
 * parameters, so the org id is written into the text: it must be a UUID.
 * Commits when `work` resolves, rolls back when it throws.
 */
export async function bumpedTransaction<T>(
  db: Database,
  orgId: string,
  work: (tx: Tx, bumped: Bumped) => Promise<T>,
): Promise<T> {
  if (!isUuid(orgId)) throw new Error(`not an org id: ${JSON.stringify(orgId)}`);
  const client = await poolOf(db, "bumpedTransaction").connect();
  let broken: Error | undefined;
  try {
    const results = (await client.query(
      `BEGIN; UPDATE orgs SET revision = revision + 1 WHERE id = '${orgId}' RETURNING revision, event_seq`,
    )) as unknown as { rows: { revision: string | number; event_seq: string | number }[] }[];
    const row = results.at(-1)?.rows[0];
    if (!row) throw new Error(`org ${orgId} does not exist`);
    const bumped = { revision: Number(row.revision), eventSeq: Number(row.event_seq) };
    const out = await work(drizzle(client), bumped);
    await client.query("COMMIT");
    return out;
  } catch (err) {
    // outside a transaction (BEGIN failed, or COMMIT ended it) this only warns
    await client.query("ROLLBACK").catch((e: Error) => {
      broken = e;
    });
    throw err;
  } finally {
    // a connection whose ROLLBACK failed is not given back to the pool
    client.release(broken);
  }
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
