import { and, asc, eq, gt } from "drizzle-orm";
import { auditLog } from "@tether/schema/tables";
import { type AuditEntry, auditHashInput, GENESIS_HASH, type Tx } from "./audit.ts";
import { sha256Hex } from "./canonical-json.ts";

/** Why a chain broke at a row. */
export type ChainBreak =
  /** One or more rows before this one are missing (deleted): its seq skips. */
  | "seq_gap"
  /** The row does not follow the one before it (deleted, reordered or inserted rows). */
  | "prev_hash_mismatch"
  /** The row's own content no longer matches its hash (altered). */
  | "hash_mismatch";

export type ChainVerdict =
  | { ok: true; rows: number; head: { seq: number; hash: string } | null }
  | {
      ok: false;
      /** Rows that verified before the break. */
      rows: number;
      broken_at: { seq: number; id: string };
      reason: ChainBreak;
      message: string;
    };

type AuditRow = typeof auditLog.$inferSelect;

/** The entry a row was written from, as {@link writeAudit} hashed it. */
function entryOf(row: AuditRow): AuditEntry {
  return {
    orgId: row.orgId,
    actorType: row.actorType,
    actorId: row.actorId,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    before: row.before,
    after: row.after,
    requestId: row.requestId,
    at: row.createdAt,
  };
}

/**
 * Recomputes an org's audit hash chain from seq 1, `pageSize` rows at a time
 * (memory stays bounded however long the chain). Deleting the newest rows
 * leaves a valid shorter chain: compare `head` with one recorded earlier to
 * catch that.
 *
 * @example
 *   const verdict = await verifyAuditChain(db, orgId);
 *   if (!verdict.ok) console.log(verdict.broken_at.seq, verdict.reason);
 */
export async function verifyAuditChain(
  db: Tx,
  orgId: string,
  pageSize = 500,
): Promise<ChainVerdict> {
  let prevHash = GENESIS_HASH;
  let prevSeq = 0;
  let rows = 0;
  for (;;) {
    const page = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.orgId, orgId), gt(auditLog.seq, prevSeq)))
      .orderBy(asc(auditLog.seq))
      .limit(pageSize);
    for (const row of page) {
      const at = { seq: row.seq, id: row.id };
      const broken = (reason: ChainBreak, message: string): ChainVerdict => ({
        ok: false,
        rows,
        broken_at: at,
        reason,
        message,
      });
      if (row.seq !== prevSeq + 1) {
        const missing =
          row.seq - 1 === prevSeq + 1 ? `${prevSeq + 1}` : `${prevSeq + 1}–${row.seq - 1}`;
        return broken("seq_gap", `seq ${missing} missing before seq ${row.seq}`);
      }
      if (row.prevHash !== prevHash) {
        return broken("prev_hash_mismatch", `seq ${row.seq} does not follow seq ${prevSeq}`);
      }
      const hash = await sha256Hex(auditHashInput(prevHash, row.seq, entryOf(row)));
      if (hash !== row.hash) {
        return broken("hash_mismatch", `seq ${row.seq} was changed after it was written`);
      }
      prevHash = row.hash;
      prevSeq = row.seq;
      rows++;
    }
    if (page.length < pageSize) {
      return { ok: true, rows, head: rows === 0 ? null : { seq: prevSeq, hash: prevHash } };
    }
  }
}
