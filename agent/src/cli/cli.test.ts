import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { writeSpoolStatus } from "../spool/status.ts";
import { writeStatus } from "../state/status-file.ts";
import { generateWireGuardKeyPair, wireGuardPublicKey } from "./keys.ts";
import { main } from "./main.ts";
import { statusText } from "./status.ts";

describe("WireGuard keys", () => {
  it("are 32-byte base64 keys whose public half matches the private one", () => {
    const { privateKey, publicKey } = generateWireGuardKeyPair();
    expect(Buffer.from(privateKey, "base64")).toHaveLength(32);
    expect(publicKey).toMatch(/^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/);
    expect(wireGuardPublicKey(privateKey)).toBe(publicKey);
  });

  it("match wg pubkey on a known vector", () => {
    // `echo uIqA20pxwZPGr9CCjKLbIdMXXZyU0CNMe6cIIrxKo24= | wg pubkey`
    expect(wireGuardPublicKey("uIqA20pxwZPGr9CCjKLbIdMXXZyU0CNMe6cIIrxKo24=")).toBe(
      "MhOyOaFX+dJd8gjQus0Jte71xDh93sICKC8Mn0RbDhM=",
    );
  });
});

describe("status", () => {
  it("prints revision, mode, peers, last sync and errors", () => {
    const dir = mkdtempSync(join(tmpdir(), "tether-status-"));
    expect(statusText(dir, false).code).toBe(1);
    writeStatus(dir, {
      node_id: "n1",
      pid: 1,
      revision: 7,
      seq: 30,
      mode: "audit",
      peers: [{ id: "p1", name: "db", mesh_ip: "10.100.0.9" }],
      source: "control-plane",
      connected: true,
      transport: "websocket",
      last_sync: "2026-11-22T10:00:00.000Z",
      last_reconcile: "2026-11-22T10:00:05.000Z",
      ruleset_hash: "abc",
      errors: ["nft: boom"],
      updated_at: "2026-11-22T10:00:05.000Z",
    });
    const { text, code } = statusText(dir, false, new Date("2026-11-22T10:00:10.000Z"));
    expect(code).toBe(2);
    expect(text).toContain("revision:       7 (seq 30)");
    expect(text).toContain("mode:           audit");
    expect(text).toContain("state from:     control-plane, event stream connected (websocket)");
    expect(text).toContain("last sync:      2026-11-22T10:00:00.000Z (10 s ago)");
    expect(text).toContain("10.100.0.9      db (p1)");
    expect(text).toContain("  nft: boom");
  });

  it("adds each shipper's counters, in text and in JSON", () => {
    const dir = mkdtempSync(join(tmpdir(), "tether-status-"));
    writeStatus(dir, {
      node_id: "n1",
      pid: 1,
      revision: 1,
      seq: 1,
      mode: "enforce",
      peers: [],
      source: "control-plane",
      connected: true,
      last_sync: null,
      last_reconcile: null,
      ruleset_hash: null,
      errors: [],
      updated_at: "2026-11-22T10:00:05.000Z",
    });
    writeSpoolStatus(dir, {
      name: "telemetry",
      pending: 2,
      pending_bytes: 900,
      spooled: 12,
      refused: 0,
      sent: 10,
      duplicates: 1,
      retried: 3,
      rejected: 0,
      rejected_on_disk: 0,
      consecutive_failures: 3,
      last_error: "HTTP 503",
      last_sent_at: "2026-11-22T10:00:00.000Z",
      next_attempt_at: "2026-11-22T10:00:08.000Z",
      updated_at: "2026-11-22T10:00:05.000Z",
      extra: { sources: [{ path: "/var/log/trace.jsonl", lines: 120, malformed: 2 }] },
    });
    const { text } = statusText(dir, false);
    expect(text).toContain(
      "telemetry: 2 batches pending (900 bytes), 10 sent (1 duplicates), 3 retried, 0 rejected (0 kept), 0 refused (spool full)",
    );
    expect(text).toContain("  last error: HTTP 503");
    expect(text).toContain("  source /var/log/trace.jsonl: 120 lines read, 2 malformed");
    expect(JSON.parse(statusText(dir, true).text).spools[0]).toMatchObject({
      name: "telemetry",
      sent: 10,
    });
  });
});

describe("main", () => {
  it("names a bad setting and refuses to run before join", async () => {
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(await main(["run", "--listen-port", "0"], {})).toBe(2);
      expect(String(err.mock.calls[0]?.[0])).toContain(
        "config: listen_port: must be an integer from 1 to 65535 (from --listen-port)",
      );
      const dir = mkdtempSync(join(tmpdir(), "tether-main-"));
      expect(await main(["run", "--data-dir", dir], {})).toBe(2);
      expect(String(err.mock.calls[1]?.[0])).toContain("run: not enrolled");
      expect(await main(["join", "--data-dir", dir, "--token", "t"], {})).toBe(2);
      expect(String(err.mock.calls[2]?.[0])).toContain("config: server: join needs --server");
      expect(await main(["frobnicate"], {})).toBe(2);
    } finally {
      err.mockRestore();
    }
  });
});

describe("bin/tether-agent.js", () => {
  it("runs with plain node (tsx registered by the bin itself)", async () => {
    const { createExecRunner } = await import("../sys/exec-runner.ts");
    const bin = new URL("../../bin/tether-agent.js", import.meta.url).pathname;
    const dir = mkdtempSync(join(tmpdir(), "tether-bin-"));
    const r = await createExecRunner().run(process.execPath, [bin, "status", "--data-dir", dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`no status in ${dir}`);
    const bad = await createExecRunner().run(process.execPath, [bin, "run", "--stale-window", "0"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("config: stale_window: must be a whole number of seconds");
  });
});
