import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { memoryLogger } from "../log.ts";
import { Spool } from "./spool.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "tether-spool-"));

describe("Spool", () => {
  it("seals batches as 0600 files with stable ids, oldest first, and finds them again after a restart", () => {
    const dir = tmp();
    const log = memoryLogger();
    const spool = new Spool<{ n: number }>({ dir, log, idPrefix: "node-1" });
    const a = spool.seal({ n: 1 });
    const b = spool.seal({ n: 2 });
    if (!a.ok || !b.ok) throw new Error("sealed");
    expect(a.batch.id).toMatch(/^node-1-[0-9a-f-]{36}$/);
    expect(a.batch.id).not.toBe(b.batch.id);
    expect(readdirSync(dir).sort()).toEqual(["000000000000.json", "000000000001.json", "rejected"]);
    expect(statSync(join(dir, "000000000000.json")).mode & 0o777).toBe(0o600);

    const again = new Spool<{ n: number }>({ dir, log });
    expect(again.pending).toBe(2);
    expect(again.pendingBytes).toBe(spool.pendingBytes);
    expect(again.oldest()).toEqual(a.batch);
    again.remove(a.batch);
    expect(again.oldest()).toEqual(b.batch);
    const c = again.seal({ n: 3 });
    expect(c.ok && c.batch.seq).toBe(2);
  });

  it("deletes temp files a crash left behind and never reads them as batches", () => {
    const dir = tmp();
    new Spool({ dir, log: memoryLogger() });
    writeFileSync(join(dir, ".123.456.abc.tmp"), '{"id":"torn');
    const spool = new Spool({ dir, log: memoryLogger() });
    expect(spool.pending).toBe(0);
    expect(readdirSync(dir)).toEqual(["rejected"]);
  });

  it("refuses new batches when full (count or bytes), with one warning per episode, and accepts again once drained", () => {
    const dir = tmp();
    const log = memoryLogger();
    const spool = new Spool<string>({ dir, log, maxBatches: 2 });
    expect(spool.seal("a").ok).toBe(true);
    expect(spool.seal("b").ok).toBe(true);
    expect(spool.seal("c")).toEqual({
      ok: false,
      reason: "full",
      pending: 2,
      pendingBytes: spool.pendingBytes,
    });
    expect(spool.seal("d").ok).toBe(false);
    expect(log.lines.filter((l) => String(l.msg).startsWith("spool full"))).toHaveLength(1);
    expect(spool.counters).toMatchObject({ spooled: 2, refused: 2 });
    spool.remove(spool.oldest()!);
    expect(spool.seal("e").ok).toBe(true);
    expect(log.lines.some((l) => l.msg === "spool accepts batches again")).toBe(true);

    const bySize = new Spool<string>({ dir: tmp(), log, maxBytes: 300 });
    expect(bySize.seal("x".repeat(1000)).ok).toBe(true); // one oversized batch is still taken when empty
    expect(bySize.seal("y").ok).toBe(false);
  });

  it("moves a rejected batch to rejected/ with its reason, and prunes the oldest beyond the bound", () => {
    const dir = tmp();
    const log = memoryLogger();
    let now = 1_000;
    const spool = new Spool<number>({ dir, log, maxRejected: 2, now: () => now });
    for (let i = 0; i < 3; i++) spool.seal(i);
    for (let i = 0; i < 3; i++) {
      now += 1;
      const batch = spool.oldest()!;
      spool.reject(batch, `HTTP 400: bad ${i}`);
    }
    expect(spool.pending).toBe(0);
    expect(spool.counters.rejected).toBe(3);
    const files = readdirSync(join(dir, "rejected")).sort();
    expect(files).toEqual([
      "000000000001002-000000000001.error.json",
      "000000000001002-000000000001.json",
      "000000000001003-000000000002.error.json",
      "000000000001003-000000000002.json",
    ]);
    const error = JSON.parse(readFileSync(join(dir, "rejected", files[2]!), "utf8"));
    expect(error).toMatchObject({ reason: "HTTP 400: bad 2" });
    expect(JSON.parse(readFileSync(join(dir, "rejected", files[3]!), "utf8")).payload).toBe(2);
    expect(log.lines.filter((l) => l.level === "error")).toHaveLength(3);
    expect(
      log.lines.filter((l) => String(l.msg).startsWith("rejected dir over its bound")),
    ).toHaveLength(1);
    expect(spool.rejectedOnDisk()).toBe(2);
  });

  it("sets an unreadable batch file aside in rejected/ instead of sending or looping on it", () => {
    const dir = tmp();
    const log = memoryLogger();
    const spool = new Spool<number>({ dir, log });
    spool.seal(1);
    spool.seal(2);
    writeFileSync(join(dir, "000000000000.json"), "{not json");
    expect(spool.oldest()?.payload).toBe(2);
    expect(spool.rejectedOnDisk()).toBe(1);
    expect(log.lines.some((l) => String(l.reason).startsWith("unreadable batch file"))).toBe(true);
  });

  it("tells listeners about each sealed batch", () => {
    const spool = new Spool<number>({ dir: tmp(), log: memoryLogger() });
    let heard = 0;
    const off = spool.onSealed(() => heard++);
    spool.seal(1);
    off();
    spool.seal(2);
    expect(heard).toBe(1);
  });
});
