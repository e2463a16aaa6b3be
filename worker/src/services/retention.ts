import { sql } from "drizzle-orm";
import type { Database } from "./db.ts";

/**
 * Deletes agent events older than `keepDays`, in bounded chunks, and records
 * per org how far it deleted: an agent resuming from before that point is
 * told to refetch its state (`snapshot_required`).
 */
export async function pruneEvents(
  db: Database,
  now: Date,
  keepDays: number,
  chunk = 5000,
): Promise<{ deleted: number }> {
  const cutoff = new Date(now.getTime() - keepDays * 86_400_000).toISOString();
  let deleted = 0;
  for (;;) {
    const result = await db.execute(sql`
      with pruned as (
        delete from events
        where ctid in (select ctid from events where created_at < ${cutoff}::timestamptz limit ${chunk})
        returning org_id, seq
      ), per_org as (
        select org_id, max(seq) as max_seq, count(*) as n from pruned group by org_id
      )
      update orgs set events_pruned_through = greatest(orgs.events_pruned_through, per_org.max_seq)
      from per_org where orgs.id = per_org.org_id
      returning per_org.n`);
    const n = (result.rows as { n: string | number }[]).reduce((s, r) => s + Number(r.n), 0);
    deleted += n;
    if (n < chunk) return { deleted };
  }
}

/** Tables whose rows live `orgs.retention_days` from their `timestamp`. */
const RETAINED = [
  "syscall_events",
  "network_events",
  "file_access_events",
  "decision_logs",
] as const;

export type RetainedTable = (typeof RETAINED)[number];

/**
 * Deletes telemetry and decision logs older than each org's `retention_days`
 * (by the event's own timestamp), at most `chunk` rows per statement, and
 * returns how many rows each table lost.
 */
export async function pruneTelemetry(
  db: Database,
  now: Date,
  opts: { chunk?: number; orgIds?: readonly string[] } = {},
): Promise<Record<RetainedTable, number>> {
  const at = now.toISOString();
  const chunk = opts.chunk ?? 5000;
  // Only these orgs (an operator pruning one tenant, or a test beside others); default all.
  const orgFilter =
    opts.orgIds === undefined
      ? sql`true`
      : sql`o.id = any(${`{${opts.orgIds.join(",")}}`}::uuid[])`;
  const deleted = Object.fromEntries(RETAINED.map((t) => [t, 0])) as Record<RetainedTable, number>;
  for (const table of RETAINED) {
    const name = sql.identifier(table);
    for (;;) {
      // ctid = any(array(…)): a TID scan of the chosen rows, where `ctid in
      // (subquery)` may plan a scan of the whole table per chunk.
      const result = await db.execute(sql`
        delete from ${name} where ctid = any(array(
          select e.ctid from orgs o
          cross join lateral (
            select ctid from ${name} e
            where e.org_id = o.id
              and e.timestamp < ${at}::timestamptz - make_interval(days => o.retention_days)
            limit ${chunk}
          ) e
          where ${orgFilter}
          limit ${chunk}
        ))`);
      const n = result.rowCount ?? 0;
      deleted[table] += n;
      if (n < chunk) break;
    }
  }
  return deleted;
}
