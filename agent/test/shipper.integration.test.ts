import { randomBytes } from "node:crypto";
import {
  appendFileSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ControlPlane, freePort, startControlPlane } from "../../dev/control-plane.ts";
import { openDatabase } from "../../dev/node-database.ts";
import { loadConfig } from "../src/config/load.ts";
import { register } from "../src/daemon/api.ts";
import { memoryLogger } from "../src/log.ts";
import { shipperFromConfig } from "../src/shipper/from-config.ts";
import type { TelemetryShipper } from "../src/shipper/shipper.ts";
import { createExecRunner } from "../src/sys/exec-runner.ts";

/**
 * The shipper against the real control plane (wrangler dev + embedded
 * Postgres): lines written before, during and after an outage, with an
 * agent restart and a log rotation inside the outage, all arrive exactly
 * once. Checked in the database, not in the shipper's counters.
 */
describe("telemetry shipper → real control plane", () => {
  let cp: ControlPlane | undefined;
  let cpPort = 0;
  let cpDir = "";
  let agentDir = "";
  let admin = "";
  let ingestKey = "";
  let nodeId = "";
  const slug = "shipper-it";
  const log = memoryLogger();
  let written = 0;
  let malformed = 0;

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${cp!.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };

  const source = () => join(agentDir, "trace.jsonl");
  /** Line i is one event whose kind cycles; its marker (path, args, dns_query) is unique. */
  const writeLines = (n: number) => {
    let text = "";
    for (let k = 0; k < n; k++) {
      const i = written++;
      const timestamp = new Date(Date.UTC(2026, 1, 21, 8, 0, 0, i)).toISOString();
      if (i % 50 === 49) {
        malformed++;
        text += `{"kind":"file","path":"/bad/${i}","operation":"truncate"}\n`;
      } else if (i % 3 === 0) {
        text += `${JSON.stringify({ kind: "file", path: `/line/${i}`, operation: "read", pid: i, comm: "cat", success: true, timestamp })}\n`;
      } else if (i % 3 === 1) {
        text += `${JSON.stringify({ kind: "syscall", syscall_name: "openat", pid: i, comm: "python", args: `line ${i}`, success: true, timestamp })}\n`;
      } else {
        text += `${JSON.stringify({ kind: "network", direction: "outbound", protocol: "tcp", dst_ip: "93.184.216.34", dst_port: 443, dns_query: `n${i}.example`, action: "allowed", timestamp })}\n`;
      }
    }
    appendFileSync(source(), text);
  };

  const newShipper = () => {
    const config = loadConfig({
      env: {
        TETHER_DATA_DIR: agentDir,
        TETHER_TELEMETRY: JSON.stringify({
          app_id: slug,
          sources: [{ path: source() }],
          nft_counters: false,
          batch_max_events: 40,
          batch_max_ms: 300,
          poll_ms: 100,
        }),
      },
    });
    return shipperFromConfig({
      config: { ...config, telemetry: config.telemetry! },
      server: `http://127.0.0.1:${cpPort}`,
      nodeId,
      env: { TETHER_INGEST_KEY: ingestKey },
      runner: createExecRunner(),
      meshIp: () => undefined,
      log,
      backoff: { baseMs: 200, capMs: 2000 },
    });
  };

  const eventually = async (what: string, check: () => boolean, ms = 120_000) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (check()) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`timed out: ${what}\n${JSON.stringify(log.lines.slice(-10), null, 1)}`);
  };
  /** All of `lines` read, none waiting in the buffer, no batch left on disk. */
  const drained = (s: TelemetryShipper, lines: number) => () => {
    const st = s.status();
    return (
      st.pending === 0 && (st.extra?.lines as number) >= lines && st.extra?.buffered_events === 0
    );
  };

  const stored = async () => {
    const { db, close } = openDatabase(cp!.databaseUrl, cp!.dbWsProxy);
    try {
      const q = async (text: string) =>
        (await db.execute<{ marker: string; n: number }>(sql.raw(text))).rows;
      return [
        ...(await q(
          `select path as marker, count(*)::int as n from file_access_events group by path`,
        )),
        ...(await q(`select args as marker, count(*)::int as n from syscall_events group by args`)),
        ...(await q(
          `select dns_query as marker, count(*)::int as n from network_events group by dns_query`,
        )),
      ];
    } finally {
      await close();
    }
  };

  beforeAll(async () => {
    cpPort = await freePort();
    cpDir = mkdtempSync(join(tmpdir(), "tether-cp-shipper-"));
    agentDir = mkdtempSync(join(tmpdir(), "tether-agent-shipper-"));
    cp = await startControlPlane({ port: cpPort, dataDir: cpDir });
    admin = cp.firstAdminKey!;
    const app = await api("POST", "/api/apps", { slug, name: slug });
    ingestKey = String(
      (
        await api("POST", `/api/apps/${app.id}/keys`, {
          name: "shipper",
          rate_limit_per_minute: 100_000,
        })
      ).key,
    );
    const { token } = await api("POST", "/api/enrollment-tokens", { name: "it" });
    const registered = await register(cp.url, String(token), {
      public_key: randomBytes(32).toString("base64"),
      hostname: "shipper-it",
    });
    nodeId = String(registered.node_id);
  }, 240_000);

  afterAll(async () => {
    await cp?.stop().catch(() => {});
    if (cpDir) rmSync(cpDir, { recursive: true, force: true });
    if (agentDir) rmSync(agentDir, { recursive: true, force: true });
  }, 60_000);

  it("delivers every line exactly once across an outage, an agent restart and a rotation", async () => {
    // 1. Online: lines arrive.
    let shipper = newShipper();
    shipper.start();
    writeLines(300);
    await eventually("first 300 lines delivered", drained(shipper, 300));
    expect(shipper.status()).toMatchObject({ pending: 0, rejected: 0 });

    // 2. Outage: the control plane (Worker and database) goes away; lines keep coming.
    await cp!.stop();
    writeLines(300);
    await eventually("batches spooled and retried", () => {
      const s = shipper.status();
      return s.pending > 0 && s.retried > 0;
    });
    // Keep one spooled batch aside: re-sent later, it must be stored only once.
    const spoolDir = join(agentDir, "telemetry", "spool");
    const aside = join(agentDir, "aside.json");
    const first = readdirSync(spoolDir).find((n) => n.endsWith(".json"))!;
    copyFileSync(join(spoolDir, first), aside);

    // 3. Agent restart during the outage, and the source rotated meanwhile.
    await shipper.stop();
    writeLines(100);
    renameSync(source(), `${source()}.1`);
    writeLines(200);
    shipper = newShipper();
    shipper.start();
    await eventually("restarted shipper spools the rest", () => {
      const s = shipper.status();
      return (s.extra?.lines as number) >= 300 && s.retried > 0; // 100 left in .1 + 200 new
    });

    // 4. The control plane comes back on the same data.
    cp = await startControlPlane({ port: cpPort, dataDir: cpDir });
    await eventually("everything delivered after the outage", () => shipper.status().pending === 0);
    await shipper.stop();

    // 5. A batch delivered before is sent again (as after a crash between send and delete).
    mkdirSync(spoolDir, { recursive: true });
    copyFileSync(aside, join(spoolDir, "000000900000.json"));
    shipper = newShipper();
    shipper.start();
    await eventually("the copy answered", () => shipper.status().sent >= 1);
    expect(shipper.status()).toMatchObject({ duplicates: 1, pending: 0, rejected: 0 });
    await shipper.stop();

    // Exactly once, in the database.
    const rows = await stored();
    expect(rows.filter((r) => r.n !== 1)).toEqual([]);
    const expected = new Set<string>();
    for (let i = 0; i < written; i++) {
      if (i % 50 === 49) continue;
      expected.add(i % 3 === 0 ? `/line/${i}` : i % 3 === 1 ? `line ${i}` : `n${i}.example`);
    }
    expect(rows.length).toBe(expected.size);
    expect(new Set(rows.map((r) => r.marker))).toEqual(expected);
    expect(malformed).toBe(18); // every 50th of the 900 lines
    const warned = log.lines.filter((l) => l.msg === "telemetry line malformed; not shipped");
    expect(
      new Set(warned.map((w) => `${w.source}:${w.ino}:${w.line}`)).size,
    ).toBeGreaterThanOrEqual(18);
  }, 600_000);
});
