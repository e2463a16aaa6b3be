import type { StatusReport } from "@tether/schema/wire";
import { sql } from "drizzle-orm";
import type { Database } from "../services/db.ts";

/** The error a batch gives the acks of nodes it did not find (deleted, or credential changed). */
export const NODE_GONE = "node not found or credential changed";

/** One node's acknowledgement, waiting for the next batch write. */
export interface PendingAck {
  nodeId: string;
  credentialHash: string;
  report: StatusReport;
  at: Date;
}

export interface AckResult {
  desired_revision: number;
  stale: boolean;
}

/** Rows per UPDATE: one statement stays a bounded piece of work. */
const ROWS_PER_STATEMENT = 5000;

/**
 * While the Hub expects acks (see {@link AckBatcher.expect}), held acks are
 * written once every expected node has acked, or once no ack came for
 * EXPECT_GAP_MS, or EXPECT_HOLD_MAX_MS after the first was held, whichever
 * is first. A fleet's acks of one fan-out arrive close together, and one
 * statement for all of them ends sooner than one for the first few and
 * another for the rest, each waiting for the one before.
 */
export const EXPECT_GAP_MS = 5;
export const EXPECT_HOLD_MAX_MS = 25;

/**
 * Writes status acks in batches, ONE statement per batch, so a fleet
 * acknowledging a revision costs a handful of database round trips instead
 * of one connection per node. Group commit: an ack that finds no write in
 * flight is written on the next turn (with whatever arrived in that turn);
 * acks that arrive while a write is in flight wait for it and go together
 * in the next one. So one ack waits for no window, and a thousand make a
 * few statements. Each caller's promise settles once its row is written
 * (or the write failed), so an ack that was answered is durable.
 */
export class AckBatcher {
  #pending = new Map<string, { ack: PendingAck; waiters: ((r: AckResult | Error) => void)[] }>();
  #scheduled = false;
  #writing = false;
  /** Nodes just sent an event they will acknowledge: the next write waits for them (bounded). */
  #expected = new Set<string>();
  #holdTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the current hold began (undefined: no hold). */
  #holdSince: number | undefined;

  constructor(private readonly openDb: () => { db: Database; close(): Promise<void> }) {}

  /**
   * The Hub has just sent these nodes an event they acknowledge once
   * applied. Acks are held rather than written until each has acked (see
   * EXPECT_GAP_MS for how long at most), so that they go in one statement.
   * A node that does not ack in time is not waited for again.
   */
  expect(nodeIds: Iterable<string>): void {
    for (const id of nodeIds) this.#expected.add(id);
  }

  submit(ack: PendingAck): Promise<AckResult> {
    return new Promise((resolve, reject) => {
      const entry = this.#pending.get(ack.nodeId);
      const waiter = (r: AckResult | Error) => (r instanceof Error ? reject(r) : resolve(r));
      // A newer ack of the same node replaces the older one; both callers get the result.
      if (entry) {
        entry.ack = ack;
        entry.waiters.push(waiter);
      } else {
        this.#pending.set(ack.nodeId, { ack, waiters: [waiter] });
      }
      this.#expected.delete(ack.nodeId);
      this.#schedule();
    });
  }

  /**
   * A write on the next turn, unless one is scheduled or in flight (it
   * schedules the next), or expected acks are still on their way (held as
   * EXPECT_GAP_MS says).
   */
  #schedule(): void {
    if (this.#scheduled || this.#writing || this.#pending.size === 0) return;
    if (this.#expected.size > 0) {
      const now = Date.now();
      this.#holdSince ??= now;
      const wait = Math.min(EXPECT_GAP_MS, this.#holdSince + EXPECT_HOLD_MAX_MS - now);
      if (wait > 0) {
        // each ack that arrives restarts the gap
        if (this.#holdTimer !== undefined) clearTimeout(this.#holdTimer);
        this.#holdTimer = setTimeout(() => {
          this.#holdTimer = undefined;
          this.#expected.clear();
          this.#schedule();
        }, wait);
        return;
      }
      this.#expected.clear();
    }
    if (this.#holdTimer !== undefined) {
      clearTimeout(this.#holdTimer);
      this.#holdTimer = undefined;
    }
    this.#holdSince = undefined;
    this.#scheduled = true;
    setTimeout(() => void this.#flush(), 0);
  }

  async #flush(): Promise<void> {
    this.#scheduled = false;
    const batch = [...this.#pending.values()];
    this.#pending = new Map();
    this.#writing = true;
    try {
      for (let i = 0; i < batch.length; i += ROWS_PER_STATEMENT) {
        await this.#write(batch.slice(i, i + ROWS_PER_STATEMENT));
      }
    } finally {
      this.#writing = false;
      this.#scheduleIdleClose();
      this.#schedule();
    }
  }

  async #write(batch: { ack: PendingAck; waiters: ((r: AckResult | Error) => void)[] }[]) {
    const db = this.#database();
    try {
      // One jsonb parameter for the whole batch: a VALUES list would take nine
      // placeholders per row, each parsed and typed by the server.
      const rows = JSON.stringify(
        batch.map(({ ack: a }) => ({
          id: a.nodeId,
          credential_hash: a.credentialHash,
          applied_revision: a.report.applied_revision,
          ruleset_hash: a.report.ruleset_hash,
          peer_count: a.report.peer_count,
          mode: a.report.mode,
          errors: a.report.errors,
          agent_version: a.report.agent_version ?? null,
          at: a.at.toISOString(),
        })),
      );
      // All acks of a Hub are of one org: its broadcast revision is joined once, not read per row.
      const result = await db.execute(sql`
        update nodes as n set
          applied_revision = v.applied_revision,
          ruleset_hash = v.ruleset_hash,
          peer_count = v.peer_count,
          applied_mode = v.mode,
          last_errors = v.errors,
          agent_version = coalesce(v.agent_version, n.agent_version),
          last_status_at = v.at,
          last_seen_at = v.at
        from jsonb_to_recordset(${rows}::jsonb)
          as v(id uuid, credential_hash text, applied_revision bigint, ruleset_hash text,
               peer_count int, mode text, errors jsonb, agent_version text, at timestamptz),
          orgs as o
        where n.id = v.id and n.credential_hash = v.credential_hash and o.id = n.org_id
        returning n.id, greatest(n.desired_revision, o.broadcast_revision) as desired_revision`);
      const desired = new Map<string, number>();
      for (const row of result.rows as { id: string; desired_revision: string | number }[]) {
        desired.set(row.id, Number(row.desired_revision));
      }
      for (const { ack, waiters } of batch) {
        const d = desired.get(ack.nodeId);
        const outcome: AckResult | Error =
          d === undefined
            ? new Error(NODE_GONE)
            : { desired_revision: d, stale: ack.report.applied_revision < d };
        for (const w of waiters) w(outcome);
      }
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      for (const { waiters } of batch) for (const w of waiters) w(error);
    }
  }

  #handle: { db: Database; close(): Promise<void> } | undefined;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * One pool for the Hub's lifetime: a Durable Object may keep I/O objects
   * across requests (a Worker may not), so batches skip the connection setup.
   */
  #database(): Database {
    this.#handle ??= this.openDb();
    return this.#handle.db;
  }

  #scheduleIdleClose(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      const handle = this.#handle;
      this.#handle = undefined;
      void handle?.close().catch(() => {});
    }, 30_000);
  }
}
