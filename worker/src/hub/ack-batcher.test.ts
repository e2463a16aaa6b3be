import type { StatusReport } from "@tether/schema/wire";
import type { SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { describe, expect, it, vi } from "vitest";
import type { Database } from "../services/db.ts";
import {
  AckBatcher,
  EXPECT_GAP_MS,
  EXPECT_HOLD_MAX_MS,
  NODE_GONE,
  type PendingAck,
} from "./ack-batcher.ts";

/**
 * The batching logic against a recording stand-in for the database (the
 * real UPDATE runs in the workerd tests of the WebSocket transport and of
 * POST /status). Each statement's node ids are read from its parameter.
 */
class RecordingDb {
  readonly statements: string[][] = [];
  /** Set to hold the next statement until `release()`. */
  hold = false;
  fail: Error | undefined;
  gone = new Set<string>();
  #release: (() => void) | undefined;

  release(): void {
    this.#release?.();
  }

  async execute(query: SQL): Promise<{ rows: { id: string; desired_revision: number }[] }> {
    const { params } = new PgDialect().sqlToQuery(query);
    // The batch travels as one jsonb parameter.
    expect(params).toHaveLength(1);
    const ids = (JSON.parse(params[0] as string) as { id: string }[]).map((r) => r.id);
    this.statements.push(ids);
    if (this.hold) {
      this.hold = false;
      await new Promise<void>((r) => {
        this.#release = r;
      });
    }
    if (this.fail) throw this.fail;
    return {
      rows: ids.filter((id) => !this.gone.has(id)).map((id) => ({ id, desired_revision: 7 })),
    };
  }
}

function batcher() {
  const db = new RecordingDb();
  const acks = new AckBatcher(() => ({
    db: db as unknown as Database,
    close: async () => {},
  }));
  return { db, acks };
}

function ack(nodeId: string, applied = 7): PendingAck {
  const report: StatusReport = {
    applied_revision: applied,
    ruleset_hash: null,
    peer_count: 0,
    mode: "enforce",
    errors: [],
  };
  return { nodeId, credentialHash: "h", report, at: new Date(0) };
}

const turn = () => new Promise((r) => setTimeout(r, 0));

describe("AckBatcher", () => {
  it("writes a lone ack on the next turn, in a statement of its own", async () => {
    const { db, acks } = batcher();
    await expect(acks.submit(ack("n1", 6))).resolves.toEqual({ desired_revision: 7, stale: true });
    expect(db.statements).toEqual([["n1"]]);
  });

  it("merges the acks of one turn into one statement", async () => {
    const { db, acks } = batcher();
    const all = ["a", "b", "c"].map((id) => acks.submit(ack(id)));
    await Promise.all(all);
    expect(db.statements).toEqual([["a", "b", "c"]]);
  });

  it("holds acks that arrive while a write is in flight and writes them together next", async () => {
    const { db, acks } = batcher();
    db.hold = true;
    const first = acks.submit(ack("first"));
    await turn();
    expect(db.statements).toEqual([["first"]]);
    const later = Array.from({ length: 50 }, (_, i) => acks.submit(ack(`n${i}`)));
    await turn();
    expect(db.statements).toHaveLength(1); // nothing more while the first is in flight
    db.release();
    await first;
    await Promise.all(later);
    expect(db.statements).toHaveLength(2);
    expect(db.statements[1]).toHaveLength(50);
  });

  it("holds acks until every node the Hub expects has acked, then writes one statement", async () => {
    const { db, acks } = batcher();
    acks.expect(["a", "b", "c"]);
    const first = acks.submit(ack("a"));
    await turn();
    expect(db.statements).toEqual([]);
    const rest = ["b", "c"].map((id) => acks.submit(ack(id)));
    await Promise.all([first, ...rest]);
    expect(db.statements).toEqual([["a", "b", "c"]]);
  });

  it("writes EXPECT_GAP_MS after the last ack when an expected node does not ack, and waits for it no more", async () => {
    const { db, acks } = batcher();
    acks.expect(["a", "silent"]);
    const started = performance.now();
    await acks.submit(ack("a"));
    expect(performance.now() - started).toBeGreaterThanOrEqual(EXPECT_GAP_MS - 1);
    expect(db.statements).toEqual([["a"]]);
    // no hold this time: written once the last write has finished, on the next turn
    const b = acks.submit(ack("b"));
    await turn();
    await turn();
    expect(db.statements).toEqual([["a"], ["b"]]);
    await b;
  });

  it("holds no longer than EXPECT_HOLD_MAX_MS however steadily acks arrive", async () => {
    vi.useFakeTimers();
    try {
      const { db, acks } = batcher();
      const ids = Array.from({ length: 40 }, (_, i) => `n${i}`);
      acks.expect([...ids, "silent"]);
      const done: Promise<unknown>[] = [];
      let elapsed = 0;
      // an ack every 2 ms: inside the gap each time
      for (const id of ids) {
        done.push(acks.submit(ack(id)));
        await vi.advanceTimersByTimeAsync(2);
        elapsed += 2;
        if (db.statements.length > 0) break;
      }
      expect(db.statements).toHaveLength(1);
      expect(elapsed).toBeGreaterThanOrEqual(EXPECT_HOLD_MAX_MS);
      expect(elapsed).toBeLessThanOrEqual(EXPECT_HOLD_MAX_MS + 2);
      expect(db.statements[0]!.length).toBeLessThan(ids.length);
      await vi.runAllTimersAsync();
      await Promise.all(done);
    } finally {
      vi.useRealTimers();
    }
  });

  it("keeps only a node's newest pending ack and answers every caller", async () => {
    const { db, acks } = batcher();
    const older = acks.submit(ack("n1", 5));
    const newer = acks.submit(ack("n1", 7));
    const expected = { desired_revision: 7, stale: false };
    await expect(older).resolves.toEqual(expected);
    await expect(newer).resolves.toEqual(expected);
    expect(db.statements).toEqual([["n1"]]);
  });

  it("answers a node the statement did not find with NODE_GONE", async () => {
    const { db, acks } = batcher();
    db.gone.add("deleted");
    const kept = acks.submit(ack("kept"));
    const deleted = acks.submit(ack("deleted"));
    await expect(kept).resolves.toEqual({ desired_revision: 7, stale: false });
    await expect(deleted).rejects.toThrow(NODE_GONE);
  });

  it("fails every caller of a failed write, and the next acks still go", async () => {
    const { db, acks } = batcher();
    db.fail = new Error("connection reset");
    const failed = [acks.submit(ack("a")), acks.submit(ack("b"))];
    for (const f of failed) await expect(f).rejects.toThrow("connection reset");
    db.fail = undefined;
    await expect(acks.submit(ack("c"))).resolves.toEqual({ desired_revision: 7, stale: false });
    expect(db.statements).toEqual([["a", "b"], ["c"]]);
  });

  it("splits a large batch into statements of at most 5000 rows", async () => {
    const { db, acks } = batcher();
    await Promise.all(Array.from({ length: 12_000 }, (_, i) => acks.submit(ack(`n${i}`))));
    expect(db.statements.map((s) => s.length)).toEqual([5000, 5000, 2000]);
  });
});
