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
