import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
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
    expect(text).toContain("last sync:      2026-11-22T10:00:00.000Z (10 s ago)");
    expect(text).toContain("10.100.0.9      db (p1)");
    expect(text).toContain("  nft: boom");
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
