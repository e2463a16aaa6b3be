import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TelemetryBatchInput } from "@tether/schema/wire";
import { describe, expect, it } from "vitest";
import { memoryLogger } from "../log.ts";
import { FakeClock, flush } from "../spool/clock.ts";
import type { SendOutcome } from "../spool/sender.ts";
import { readSpoolStatuses } from "../spool/status.ts";
import { type ShipperOptions, TelemetryShipper } from "./shipper.ts";

const fileLine = (i: number, extra: object = {}) =>
  `${JSON.stringify({ kind: "file", path: `/f/${i}`, operation: "read", pid: i, comm: "cat", success: true, timestamp: "2026-02-21T08:00:00Z", ...extra })}\n`;

function setup(patch: Partial<ShipperOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "tether-shipper-"));
  const source = join(dir, "trace.jsonl");
  const clock = new FakeClock(Date.parse("2026-02-21T08:00:00Z"));
  const log = memoryLogger();
  const delivered: { id: string; batch: TelemetryBatchInput }[] = [];
  const answers: SendOutcome[] = [];
  const opts: ShipperOptions = {
    appId: "openclaw-1",
    sources: [{ path: source }],
    stateDir: join(dir, "telemetry"),
    statusDir: dir,
    batchMaxEvents: 3,
    batchMaxMs: 5000,
    pollMs: 1000,
    clock,
    log,
    send: async (batch, id) => {
      delivered.push({ id, batch });
      return answers.shift() ?? { kind: "sent" };
    },
    ...patch,
  };
  const spooled = () =>
    readdirSync(join(dir, "telemetry", "spool"))
      .filter((n) => n.endsWith(".json"))
      .sort()
      .map((n) => JSON.parse(readFileSync(join(dir, "telemetry", "spool", n), "utf8")));
  const paths = (b: TelemetryBatchInput) => (b.file_events ?? []).map((e) => e.path);
  return { dir, source, clock, log, delivered, answers, opts, spooled, paths };
}

describe("TelemetryShipper", () => {
  it("seals a batch when it holds batch_max_events, and the rest once batch_max_ms has passed", async () => {
    const { source, opts, clock, spooled } = setup();
    writeFileSync(source, [1, 2, 3, 4, 5, 6, 7].map((i) => fileLine(i)).join(""));
    const shipper = new TelemetryShipper(opts);
    await shipper.tick();
    expect(spooled().map((b) => b.payload.batch.file_events.length)).toEqual([3, 3]);
    await clock.advance(4999);
    await shipper.tick();
    expect(spooled()).toHaveLength(2);
    await clock.advance(1);
    await shipper.tick();
    expect(spooled().map((b) => b.payload.batch.file_events.length)).toEqual([3, 3, 1]);
    expect(spooled()[0].payload.batch).toMatchObject({
      app_id: "openclaw-1",
      syscall_events: [],
      network_events: [],
    });
    await shipper.stop();
  });

  it("counts and logs malformed lines with source and line number, and never ships them", async () => {
    const { source, opts, log, spooled, dir } = setup({ batchMaxEvents: 10 });
    writeFileSync(
      source,
      `${fileLine(1)}not json\n${fileLine(2, { pid: -1 })}${JSON.stringify({ path: "/x" })}\n${fileLine(3)}`,
    );
    const shipper = new TelemetryShipper(opts);
    await shipper.tick();
    await (opts.clock as FakeClock).advance(5000);
    await shipper.tick();
    expect(
      spooled().map((b) => b.payload.batch.file_events.map((e: { path: string }) => e.path)),
    ).toEqual([["/f/1", "/f/3"]]);
    const warnings = log.lines.filter((l) => l.msg === "telemetry line malformed; not shipped");
    expect(warnings.map((w) => [w.source, w.line])).toEqual([
      [source, 2],
      [source, 3],
      [source, 4],
    ]);
    expect(String(warnings[1]!.reason)).toContain("pid: must be at least 0");
    expect(String(warnings[2]!.reason)).toContain("kind: missing");
    expect(shipper.counters).toMatchObject({ lines: 5, events: 2, malformed: 3, batches: 1 });
    const [status] = readSpoolStatuses(dir);
    expect(status?.extra).toMatchObject({
      malformed: 3,
      sources: [{ path: source, lines: 5, malformed: 3 }],
    });
    await shipper.stop();
  });

  it("takes the kind from the source when the source has one", async () => {
    const { source, opts, spooled, clock } = setup({ batchMaxEvents: 10 });
    opts.sources = [{ path: source, kind: "syscall" }];
    writeFileSync(
      source,
      `${JSON.stringify({ syscall_name: "openat", pid: 1, comm: "python", success: true, timestamp: "2026-02-21T08:00:00Z" })}\n`,
    );
    const shipper = new TelemetryShipper(opts);
    await shipper.tick();
    await clock.advance(5000);
    await shipper.tick();
    expect(spooled()[0].payload.batch.syscall_events).toEqual([
      {
        syscall_name: "openat",
        pid: 1,
        comm: "python",
        success: true,
        timestamp: "2026-02-21T08:00:00Z",
      },
    ]);
    await shipper.stop();
  });

  it("commits offsets only with a sealed batch: a restart re-reads unsealed lines, never sealed ones", async () => {
    const { source, opts, spooled } = setup();
    writeFileSync(source, [1, 2, 3, 4].map((i) => fileLine(i)).join(""));
    const first = new TelemetryShipper(opts);
    await first.tick(); // 1-3 sealed, 4 buffered
    await first.stop();
    appendFileSync(source, fileLine(5) + fileLine(6));
    const second = new TelemetryShipper(opts);
    await second.tick();
    expect(
      spooled().map((b) => b.payload.batch.file_events.map((e: { path: string }) => e.path)),
    ).toEqual([
      ["/f/1", "/f/2", "/f/3"],
      ["/f/4", "/f/5", "/f/6"],
    ]);
    await second.stop();
  });

  it("recovers the offsets from the newest spooled batch after a crash between seal and commit", async () => {
    const { source, opts, spooled, dir } = setup();
    const offsets = join(dir, "telemetry", "offsets.json");
    writeFileSync(source, [1, 2, 3].map((i) => fileLine(i)).join(""));
    const first = new TelemetryShipper(opts);
    await first.tick();
    const before = readFileSync(offsets, "utf8");
    appendFileSync(source, [4, 5, 6].map((i) => fileLine(i)).join(""));
    await first.tick();
    await first.stop();
    writeFileSync(offsets, before); // as if the process died right after sealing 4-6
    appendFileSync(source, [7, 8, 9].map((i) => fileLine(i)).join(""));
    const second = new TelemetryShipper(opts);
    await second.tick();
    expect(
      spooled().map((b) => b.payload.batch.file_events.map((e: { path: string }) => e.path)),
    ).toEqual([
      ["/f/1", "/f/2", "/f/3"],
      ["/f/4", "/f/5", "/f/6"],
      ["/f/7", "/f/8", "/f/9"],
    ]);
    await second.stop();
  });

  it("does not rewind to an older batch found in the spool (a re-sent copy)", async () => {
    const { source, opts, spooled, dir } = setup();
    const spoolDir = join(dir, "telemetry", "spool");
    writeFileSync(source, [1, 2, 3].map((i) => fileLine(i)).join(""));
    const first = new TelemetryShipper(opts);
    await first.tick();
    const old = readFileSync(join(spoolDir, "000000000000.json"), "utf8");
    appendFileSync(source, [4, 5, 6].map((i) => fileLine(i)).join(""));
    await first.tick();
    await first.stop();
    for (const n of readdirSync(spoolDir)) if (n.endsWith(".json")) unlinkSync(join(spoolDir, n));
    writeFileSync(join(spoolDir, "000000000007.json"), old); // the newest file, an old checkpoint
    appendFileSync(source, [7, 8, 9].map((i) => fileLine(i)).join(""));
    const second = new TelemetryShipper(opts);
    await second.tick();
    expect(
      spooled().map((b) => b.payload.batch.file_events.map((e: { path: string }) => e.path)),
    ).toEqual([
      ["/f/1", "/f/2", "/f/3"],
      ["/f/7", "/f/8", "/f/9"],
    ]);
    await second.stop();
  });

  it("stops reading while the spool is full and goes on once it drains", async () => {
    const { source, opts, spooled, clock, delivered, answers } = setup({
      spool: { maxBatches: 1 },
    });
    writeFileSync(source, [1, 2, 3, 4, 5, 6, 7].map((i) => fileLine(i)).join(""));
    answers.push({ kind: "retry", reason: "HTTP 503" });
    const shipper = new TelemetryShipper(opts);
    await shipper.tick(); // 1-3 sealed; 4-6 refused (full)
    expect(spooled()).toHaveLength(1);
    expect(shipper.status().refused).toBe(1);
    shipper.start();
    await flush();
    expect(delivered).toHaveLength(1); // 503: the batch stays
    await clock.advance(60_000); // the retry goes through; the poll seals 4-6, then 7
    await clock.advance(60_000);
    expect(delivered.map((d) => d.batch.file_events!.map((e) => e.path))).toEqual([
      ["/f/1", "/f/2", "/f/3"],
      ["/f/1", "/f/2", "/f/3"],
      ["/f/4", "/f/5", "/f/6"],
      ["/f/7"],
    ]);
    expect(new Set(delivered.map((d) => d.id)).size).toBe(3);
    expect(delivered[0]!.id).toBe(delivered[1]!.id);
    await shipper.stop();
  });

  it("turns nftables counter growth into network events", async () => {
    let packets = 0;
    const { opts, spooled, clock } = setup({
      batchMaxEvents: 10,
      nft: {
        intervalMs: 10_000,
        meshIp: () => "10.100.0.1",
        read: async () => ({
          hash: "h",
          counters: [
            {
              comment: "default-deny [tcp]",
              protocol: "tcp",
              action: "blocked",
              dport: null,
              daddr: null,
              packets,
              bytes: packets * 60,
            },
          ],
        }),
      },
    });
    const shipper = new TelemetryShipper(opts);
    packets = 2;
    await shipper.tick();
    packets = 5;
    await clock.advance(5000);
    await shipper.tick(); // not due: no read; the 2 are sealed
    await clock.advance(5000);
    await shipper.tick(); // due: +3 buffered
    await clock.advance(5000);
    await shipper.tick();
    expect(
      spooled().map((b) =>
        b.payload.batch.network_events.map((e: { bytes_recv: number }) => e.bytes_recv),
      ),
    ).toEqual([[120], [180]]);
    expect(spooled()[0].payload.batch.network_events[0]).toMatchObject({
      direction: "inbound",
      protocol: "tcp",
      dst_ip: "10.100.0.1",
      action: "blocked",
      comm: "nft:default-deny [tcp]",
    });
    await shipper.stop();
  });
});
