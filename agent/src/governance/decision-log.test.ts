import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DecisionLogEntry } from "@tether/schema/wire";
import { afterEach, describe, expect, it } from "vitest";
import { memoryLogger } from "../log.ts";
import { Sender, Spool } from "../spool/index.ts";
import { type DecisionBatchPayload, DecisionLog, decisionSender } from "./decision-log.ts";

const entry = (over: Partial<DecisionLogEntry> = {}): DecisionLogEntry => ({
  decision_id: randomUUID(),
  path: "tether/sandbox/allow",
  input: { syscall_name: "read" },
  result: true,
  timestamp: new Date().toISOString(),
  policy_id: null,
  revision: 3,
  mode: "enforce",
  labels: {},
  metrics: { timer_eval_ns: 1000 },
  ...over,
});

const newSpool = (dir = mkdtempSync(join(tmpdir(), "tether-dlog-")), over = {}) =>
  new Spool<DecisionBatchPayload>({ dir, log: memoryLogger(), idPrefix: "node-1", ...over });

/** Every pending batch of a spool, oldest first (read, then put back in order by re-reading). */
function pendingBatches(spool: Spool<DecisionBatchPayload>) {
  const fresh = new Spool<DecisionBatchPayload>({ dir: spool.dir, log: memoryLogger() });
  const out = [];
  for (let b = fresh.oldest(); b; b = fresh.oldest()) {
    out.push(b);
    fresh.remove(b);
  }
  return out;
}

const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 10));
  }
};

let servers: Server[] = [];
afterEach(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  servers = [];
});

describe("DecisionLog", () => {
  it("seals batches by count, by bytes and after a delay; close() seals the rest", async () => {
    const spool = newSpool();
    const log = new DecisionLog({
      spool,
      log: memoryLogger(),
      maxBatchEntries: 3,
      flushAfterMs: 50,
    });
    const entries = Array.from({ length: 7 }, () => entry());
    for (const e of entries) log.add(e);
    expect(spool.pending).toBe(2);
    expect(log.held).toBe(1);
    await until(() => spool.pending === 3); // the delay sealed the last one
    expect(log.held).toBe(0);
    const batches = pendingBatches(spool);
    expect(batches.map((b) => b.payload.decisions.length)).toEqual([3, 3, 1]);
    expect(batches.flatMap((b) => b.payload.decisions)).toEqual(entries);
    expect(batches.every((b) => b.id.startsWith("node-1-"))).toBe(true);

    const bytesSpool = newSpool();
    const bytesLog = new DecisionLog({
      spool: bytesSpool,
      log: memoryLogger(),
      maxBatchBytes: 2000,
      flushAfterMs: 60_000,
    });
    const big = { blob: "x".repeat(800) };
    for (let i = 0; i < 5; i++) bytesLog.add(entry({ input: big }));
    bytesLog.close();
    const sizes = pendingBatches(bytesSpool).map((b) => b.payload.decisions.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(5);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(2);
    expect(bytesLog.counters).toEqual({ logged: 5, sealed: 5, dropped: 0 });
  });

  it("holds entries while the spool is full, drops the oldest past its bound, seals the rest once it drains", async () => {
    const spool = newSpool(undefined, { maxBatches: 1 });
    const logger = memoryLogger();
    const log = new DecisionLog({
      spool,
      log: logger,
      maxBatchEntries: 2,
      maxHeldEntries: 3,
      flushAfterMs: 10,
    });
    const entries = Array.from({ length: 7 }, () => entry());
    for (const e of entries) log.add(e);
    // One batch of 2 sealed; the spool refuses more; 3 held, 2 dropped (the oldest).
    expect(spool.pending).toBe(1);
    expect(log.held).toBe(3);
    expect(log.counters).toMatchObject({ logged: 7, sealed: 2, dropped: 2 });
    expect(logger.lines.filter((l) => /dropping oldest/.test(String(l.msg)))).toHaveLength(1);
    // Deliver batch by batch: the held entries follow as room appears.
    const delivered: DecisionLogEntry[][] = [];
    while (delivered.flat().length < 5) {
      await until(() => spool.pending === 1);
      const b = spool.oldest()!;
      delivered.push(b.payload.decisions);
      spool.remove(b);
    }
    expect(log.held).toBe(0);
    expect(delivered).toEqual([entries.slice(0, 2), entries.slice(4, 6), entries.slice(6)]);
  });
});

describe("decisionSender", () => {
  /** A stand-in for POST /v1/nodes/{id}/decisions that dedupes by decision id, like the real one. */
  async function fakeControlPlane(answers: number[]) {
    const stored = new Set<string>();
    const posts: {
      auth: string | undefined;
      body: { batch_id: string; decisions: DecisionLogEntry[] };
    }[] = [];
    const server = createServer(async (req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      posts.push({ auth: req.headers.authorization, body });
      const status = answers.shift() ?? 200;
      if (status !== 200) {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { code: "x", message: `status ${status}` } }));
        return;
      }
      let fresh = 0;
      for (const d of body.decisions as DecisionLogEntry[]) {
        if (!stored.has(d.decision_id)) fresh++;
        stored.add(d.decision_id);
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          received: body.decisions.length,
          stored: fresh,
          duplicates: body.decisions.length - fresh,
        }),
      );
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as { port: number }).port;
    return { url: `http://127.0.0.1:${port}/v1/nodes/n/decisions`, posts, stored };
  }

  it("ships each batch with its stable id, retries failures with the same entries, rejects a refused one", async () => {
    const cp = await fakeControlPlane([503, 503, 200, 400]);
    const dir = mkdtempSync(join(tmpdir(), "tether-dlog-"));
    const spool = newSpool(dir);
    const log = new DecisionLog({ spool, log: memoryLogger(), maxBatchEntries: 2 });
    const entries = Array.from({ length: 4 }, () => entry());
    for (const e of entries) log.add(e);
    const sender = new Sender({
      spool,
      log: memoryLogger(),
      name: "decisions",
      backoff: { baseMs: 5, capMs: 20 },
      send: decisionSender({ url: cp.url, headers: () => ({ authorization: "Bearer tk_node_x" }) }),
    });
    sender.start();
    await until(() => spool.pending === 0);
    await sender.stop();
    // 3 attempts for the first batch (two 503s), then the second batch refused with a 400.
    expect(cp.posts.map((p) => p.body.batch_id)).toEqual([
      cp.posts[0]!.body.batch_id,
      cp.posts[0]!.body.batch_id,
      cp.posts[0]!.body.batch_id,
      cp.posts[3]!.body.batch_id,
    ]);
    expect(cp.posts[0]!.body.decisions).toEqual(entries.slice(0, 2));
    expect(cp.posts[2]!.body.decisions).toEqual(entries.slice(0, 2));
    expect(cp.posts.every((p) => p.auth === "Bearer tk_node_x")).toBe(true);
    expect(sender.counters).toMatchObject({ sent: 1, retried: 2 });
    expect(spool.counters.rejected).toBe(1);
    expect(
      readdirSync(join(dir, "rejected")).filter((f) => f.endsWith(".error.json")),
    ).toHaveLength(1);
    expect([...cp.stored].sort()).toEqual(
      entries
        .slice(0, 2)
        .map((e) => e.decision_id)
        .sort(),
    );
  });

  it("after a restart sends what the spool kept, under the same ids; a batch sent twice counts as a duplicate", async () => {
    const cp = await fakeControlPlane([]);
    const dir = mkdtempSync(join(tmpdir(), "tether-dlog-"));
    const first = newSpool(dir);
    const log = new DecisionLog({ spool: first, log: memoryLogger() });
    const entries = [entry(), entry()];
    for (const e of entries) log.add(e);
    log.close(); // shutdown: sealed to disk, nothing sent
    const sealedId = first.oldest()!.id;

    const send = decisionSender({ url: cp.url, headers: () => ({}) });
    const again = newSpool(dir); // the next start
    const batch = again.oldest()!;
    expect(batch.id).toBe(sealedId);
    const signal = new AbortController().signal;
    expect(await send(batch, signal)).toEqual({ kind: "sent", duplicate: false });
    // The answer was lost and the batch is sent again: stored once, reported as a duplicate.
    expect(await send(batch, signal)).toEqual({ kind: "sent", duplicate: true });
    expect(cp.stored.size).toBe(2);
    expect(cp.posts.map((p) => p.body.batch_id)).toEqual([sealedId, sealedId]);
  });
});
