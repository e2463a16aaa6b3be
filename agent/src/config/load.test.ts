import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./load.ts";

describe("loadConfig", () => {
  it("has the documented defaults", () => {
    const c = loadConfig();
    expect(c).toEqual({
      data_dir: "/var/lib/tether",
      interface: "tether0",
      listen_port: 51820,
      transport: "auto",
      idle_timeout: 45,
      reconcile_interval: 30,
      stale_window: 300,
      heartbeat_interval: 60,
      teardown_on_exit: false,
      log_level: "info",
      opa_socket: "/run/tether/opa.sock",
    });
  });

  it("takes the local OPA endpoint's socket and port, and names a bad one", () => {
    const c = loadConfig({
      env: { TETHER_OPA_SOCKET: "/tmp/t/opa.sock" },
      flags: { opa_port: "8181" },
    });
    expect(c).toMatchObject({ opa_socket: "/tmp/t/opa.sock", opa_port: 8181 });
    expect(loadConfig({ flags: { opa_socket: "off" } }).opa_socket).toBe("off");
    expect(() => loadConfig({ env: { TETHER_OPA_SOCKET: "opa.sock" } })).toThrow(
      "config: opa_socket: must be an absolute path, or off (from TETHER_OPA_SOCKET)",
    );
    expect(() => loadConfig({ flags: { opa_port: "70000" } })).toThrow(
      "config: opa_port: must be an integer from 1 to 65535 (from --opa-port)",
    );
  });

  it("layers file < env < flags", () => {
    const dir = mkdtempSync(join(tmpdir(), "tether-config-"));
    const file = join(dir, "agent.json");
    writeFileSync(
      file,
      JSON.stringify({ interface: "fromfile", listen_port: 1000, data_dir: "/f" }),
    );
    const c = loadConfig({
      file,
      env: { TETHER_LISTEN_PORT: "2000", TETHER_DATA_DIR: "/e", TETHER_TEARDOWN_ON_EXIT: "yes" },
      flags: { data_dir: "/flag" },
    });
    expect(c.interface).toBe("fromfile");
    expect(c.listen_port).toBe(2000);
    expect(c.data_dir).toBe("/flag");
    expect(c.teardown_on_exit).toBe(true);
  });

  it("names the bad setting and where it came from", () => {
    expect(() => loadConfig({ flags: { interface: "this-name-is-way-too-long" } })).toThrow(
      "config: interface: must be 1-15 letters, digits, '_', '.' or '-' (a Linux interface name) (from --interface)",
    );
    expect(() => loadConfig({ env: { TETHER_LISTEN_PORT: "70000" } })).toThrow(
      "config: listen_port: must be an integer from 1 to 65535 (from TETHER_LISTEN_PORT)",
    );
    expect(() => loadConfig({ env: { TETHER_RECONCILE_INTERVAL: "soon" } })).toThrow(
      /^config: reconcile_interval: must be a whole number of seconds/,
    );
    expect(() => loadConfig({ env: { TETHER_TEARDOWN_ON_EXIT: "maybe" } })).toThrow(
      "config: teardown_on_exit: must be true or false (from TETHER_TEARDOWN_ON_EXIT)",
    );
    expect(() => loadConfig({ flags: { server: "ftp://x" } })).toThrow(
      /^config: server: must be an http\(s\) URL/,
    );
  });

  it("rejects unknown settings and unreadable files", () => {
    const dir = mkdtempSync(join(tmpdir(), "tether-config-"));
    const file = join(dir, "agent.json");
    writeFileSync(file, JSON.stringify({ intreface: "x" }));
    expect(() => loadConfig({ file })).toThrow(/^config: intreface: unknown setting/);
    writeFileSync(file, "{nope");
    expect(() => loadConfig({ file })).toThrow(/is not valid JSON/);
    expect(() => loadConfig({ file: join(dir, "missing.json") })).toThrow(/config: cannot read/);
  });

  it("reads the telemetry setting from the file or as JSON from env and flags, and names a bad field", () => {
    const dir = mkdtempSync(join(tmpdir(), "tether-config-"));
    const file = join(dir, "agent.json");
    writeFileSync(
      file,
      JSON.stringify({
        telemetry: { app_id: "openclaw-1", sources: [{ path: "/var/log/t.jsonl" }] },
      }),
    );
    expect(loadConfig({ file }).telemetry).toEqual({
      app_id: "openclaw-1",
      sources: [{ path: "/var/log/t.jsonl" }],
      nft_counters: true,
      nft_interval: 60,
      batch_max_events: 1000,
      batch_max_ms: 5000,
      poll_ms: 1000,
      spool_max_bytes: 256 * 1024 * 1024,
    });
    const fromEnv = loadConfig({
      file,
      env: { TETHER_TELEMETRY: JSON.stringify({ app_id: "other", batch_max_events: 10 }) },
    });
    expect(fromEnv.telemetry).toMatchObject({ app_id: "other", batch_max_events: 10, sources: [] });
    expect(() =>
      loadConfig({ flags: { telemetry: '{"app_id":"a","sources":[{"path":"/x","kind":"dns"}]}' } }),
    ).toThrow(
      "config: telemetry.sources.0.kind: must be one of syscall, network, file (from --telemetry)",
    );
    expect(() => loadConfig({ env: { TETHER_TELEMETRY: "{app_id" } })).toThrow(
      /^config: telemetry: must be JSON .* \(from TETHER_TELEMETRY\)$/,
    );
    expect(() =>
      loadConfig({ flags: { telemetry: '{"app_id":"a","batch_max_events":20000}' } }),
    ).toThrow(
      "config: telemetry.batch_max_events: must be a whole number of events from 1 to 10000",
    );
  });
});
