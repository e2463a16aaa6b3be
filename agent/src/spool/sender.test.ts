import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { memoryLogger } from "../log.ts";
import { FakeClock, flush } from "./clock.ts";
import { Sender, type SendOutcome } from "./sender.ts";
import { Spool, type SpooledBatch } from "./spool.ts";
import { readSpoolStatuses } from "./status.ts";

/** A receiver whose answers the test scripts; it records every attempt. */
function scriptedReceiver(answers: (SendOutcome | Error)[]) {
  const attempts: string[] = [];
  const send = async (batch: SpooledBatch<string>) => {
    attempts.push(batch.payload);
    const answer = answers.shift() ?? { kind: "sent" };
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { attempts, send };
}

function setup(answers: (SendOutcome | Error)[], backoff = { baseMs: 1000, capMs: 8000 }) {
  const dataDir = mkdtempSync(join(tmpdir(), "tether-sender-"));
  const log = memoryLogger();
  const clock = new FakeClock(0);
  const spool = new Spool<string>({ dir: join(dataDir, "spool"), log, now: () => clock.now() });
  const receiver = scriptedReceiver(answers);
  const sender = new Sender({
    spool,
    send: receiver.send,
    log,
    name: "test",
    status: { dataDir },
    clock,
    backoff,
    random: () => 0.5,
  });
  return { dataDir, log, clock, spool, receiver, sender };
}

describe("Sender", () => {
  it("sends oldest first, deletes each delivered batch (duplicates too) and waits for new ones", async () => {
    const { spool, receiver, sender, dataDir } = setup([
      { kind: "sent" },
      { kind: "sent", duplicate: true },
    ]);
    spool.seal("a");
    spool.seal("b");
    sender.start();
    await flush();
    expect(receiver.attempts).toEqual(["a", "b"]);
    expect(spool.pending).toBe(0);
    spool.seal("c");
    await flush();
    expect(receiver.attempts).toEqual(["a", "b", "c"]);
    await sender.stop();
    expect(sender.status()).toMatchObject({
      spooled: 3,
      sent: 3,
      duplicates: 1,
      retried: 0,
      rejected: 0,
    });
    expect(readSpoolStatuses(dataDir)).toEqual([
      expect.objectContaining({ name: "test", sent: 3, pending: 0 }),
    ]);
  });

  it("retries the same batch with full-jitter exponential backoff up to the cap, then resets after a success", async () => {
    const fail: SendOutcome = { kind: "retry", reason: "HTTP 503" };
    const { spool, receiver, sender, clock } = setup([
      fail,
      fail,
      fail,
      fail,
      fail,
      { kind: "sent" },
      fail,
    ]);
    const first = spool.seal("a");
    spool.seal("b");
    sender.start();
    await flush();
    // random() = 0.5: half of min(cap 8000, 1000 * 2^n).
    for (const ms of [500, 1000, 2000, 4000, 4000]) {
      expect(clock.requested.at(-1)).toBe(ms);
      await clock.advance(ms);
    }
    expect(receiver.attempts).toEqual(["a", "a", "a", "a", "a", "a", "b"]);
    expect(clock.requested.at(-1)).toBe(500); // b's first failure starts from the base again
    expect(sender.status()).toMatchObject({
      sent: 1,
      retried: 6,
      consecutive_failures: 1,
      last_error: "HTTP 503",
    });
    expect(spool.oldest()?.payload).toBe("b");
    expect(first.ok && spool.oldest()?.id).not.toBe(first.ok && first.batch.id);
    await sender.stop();
  });

  it("honours Retry-After exactly instead of the backoff", async () => {
    const { spool, receiver, sender, clock } = setup([
      { kind: "retry", reason: "HTTP 429", retryAfterMs: 7000 },
      { kind: "sent" },
    ]);
    spool.seal("a");
    sender.start();
    await flush();
    expect(clock.requested).toEqual([7000]);
    await clock.advance(6999);
    expect(receiver.attempts).toEqual(["a"]);
    await clock.advance(1);
    expect(receiver.attempts).toEqual(["a", "a"]);
    expect(spool.pending).toBe(0);
    await sender.stop();
  });

  it("counts a thrown error (network down) as a retry", async () => {
    const { spool, receiver, sender, clock, log } = setup([
      new Error("connect ECONNREFUSED"),
      { kind: "sent" },
    ]);
    spool.seal("a");
    sender.start();
    await flush();
    expect(sender.status().last_error).toBe("connect ECONNREFUSED");
    await clock.advance(500);
    expect(receiver.attempts).toEqual(["a", "a"]);
    expect(log.lines.some((l) => l.msg === "batch not delivered; will retry")).toBe(true);
    await sender.stop();
  });

  it("moves a permanently refused batch to rejected/ and goes on with the next", async () => {
    const { spool, receiver, sender } = setup([
      { kind: "rejected", reason: "HTTP 400: bad" },
      { kind: "sent" },
    ]);
    spool.seal("bad");
    spool.seal("good");
    sender.start();
    await flush();
    expect(receiver.attempts).toEqual(["bad", "good"]);
    expect(spool.pending).toBe(0);
    expect(sender.status()).toMatchObject({
      sent: 1,
      rejected: 1,
      rejected_on_disk: 1,
      last_error: "HTTP 400: bad",
    });
    await sender.stop();
  });

  it("stops during a backoff or an attempt in flight, leaving the batch spooled", async () => {
    const { spool, sender, clock } = setup([{ kind: "retry", reason: "HTTP 500" }]);
    spool.seal("a");
    sender.start();
    await flush();
    expect(clock.waiting).toBe(1);
    await sender.stop();
    expect(clock.waiting).toBe(0);
    expect(spool.pending).toBe(1);

    const dataDir = mkdtempSync(join(tmpdir(), "tether-sender-"));
    const log = memoryLogger();
    const inflight = new Spool<string>({ dir: join(dataDir, "spool"), log });
    inflight.seal("x");
    let aborted = false;
    const hanging = new Sender<string>({
      spool: inflight,
      log,
      name: "hanging",
      send: (_batch, signal) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener("abort", () => {
            aborted = true;
            reject(new Error("aborted"));
          }),
        ),
    });
    hanging.start();
    await flush();
    await hanging.stop();
    expect(aborted).toBe(true);
    expect(inflight.pending).toBe(1);
    expect(hanging.status().sent).toBe(0);
  });
});
