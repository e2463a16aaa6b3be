import type { PoolClient } from "@neondatabase/serverless";
import type { IngestResult, TelemetryBatch } from "@tether/schema/wire";
import { ApiError } from "../../errors.ts";
import { type Database, pgErrorCode, poolOf } from "../db.ts";
import { FILES, insertStatements, NETWORK, SYSCALLS } from "./rows.ts";

/** Rows per INSERT (below the bind-parameter limit for every table; see bench/ingest). */
export const DEFAULT_ROWS_PER_INSERT = 2000;

export interface BatchTarget {
  orgId: string;
  appId: string;
  nodeId: string | null;
  keyId: string;
  batchId: string;
}

/**
 * Stores a validated batch in one transaction: first its `ingest_batches`
 * row (`ON CONFLICT DO NOTHING`), then its events in chunked multi-row
 * INSERTs. A batch id already claimed (also by a concurrent request, whose
 * commit the insert waits for) stores nothing and answers the first result
 * with `duplicate: true`; any failure rolls the whole batch back.
 *
 * The hot path talks to the driver directly: building 10k-row statements
 * through drizzle costs more than sending them (bench/ingest measures both).
 */
export async function storeBatch(
  db: Database,
  target: BatchTarget,
  batch: TelemetryBatch,
  at: Date,
  rowsPerInsert = DEFAULT_ROWS_PER_INSERT,
): Promise<IngestResult> {
  const accepted = {
    syscall_events: batch.syscall_events.length,
    network_events: batch.network_events.length,
    file_events: batch.file_events.length,
  };
  const result: IngestResult = { batch_id: target.batchId, accepted, duplicate: false };
  const client = await poolOf(db, "storeBatch").connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    try {
      const claimed = await client.query(
        `INSERT INTO ingest_batches (org_id, batch_id, app_id, key_id, result, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING batch_id`,
        [target.orgId, target.batchId, target.appId, target.keyId, JSON.stringify(result), at],
      );
      if (claimed.rowCount === 0) {
        await client.query("ROLLBACK");
        return await firstResult(client, target);
      }
      const shared = [target.orgId, target.appId, target.nodeId, target.batchId];
      for (const statement of [
        ...insertStatements(SYSCALLS, shared, batch.syscall_events, rowsPerInsert),
        ...insertStatements(NETWORK, shared, batch.network_events, rowsPerInsert),
        ...insertStatements(FILES, shared, batch.file_events, rowsPerInsert),
      ]) {
        await client.query(statement.text, statement.values);
      }
      await client.query("COMMIT");
      return result;
    } catch (err) {
      await client.query("ROLLBACK").catch((e: Error) => {
        broken = e;
      });
      if (pgErrorCode(err) === "23503") {
        // The app was deleted between its lookup and this insert.
        throw new ApiError("forbidden", "the batch's app no longer exists");
      }
      throw err;
    }
  } finally {
    client.release(broken);
  }
}

/** The answer the batch id got the first time; 409 when it was another app's batch. */
async function firstResult(client: PoolClient, target: BatchTarget): Promise<IngestResult> {
  const { rows } = await client.query<{ app_id: string; result: IngestResult }>(
    "SELECT app_id, result FROM ingest_batches WHERE org_id = $1 AND batch_id = $2",
    [target.orgId, target.batchId],
  );
  const first = rows[0];
  if (!first) {
    // Claimed by a request that then rolled back, between our two statements: retryable.
    throw new ApiError(
      "conflict",
      `batch ${target.batchId} is being stored by another request; retry`,
    );
  }
  if (first.app_id !== target.appId) {
    throw new ApiError(
      "conflict",
      `batch id ${target.batchId} was already used for another app of this org`,
    );
  }
  return { ...first.result, batch_id: target.batchId, duplicate: true };
}
