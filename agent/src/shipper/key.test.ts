import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { memoryLogger } from "../log.ts";
import { loadIngestKey } from "./key.ts";

const KEY = "tk_ingest_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn";
const config = (patch: object = {}) => ({
  app_id: "a",
  sources: [],
  nft_counters: true,
  nft_interval: 60,
  batch_max_events: 1000,
  batch_max_ms: 5000,
  poll_ms: 1000,
  spool_max_bytes: 1 << 20,
  ...patch,
});

describe("loadIngestKey", () => {
  it("takes TETHER_INGEST_KEY over the key file, and never logs the key", () => {
    const dir = mkdtempSync(join(tmpdir(), "tether-key-"));
    const file = join(dir, "ingest.key");
    writeFileSync(file, `${KEY.replace("ABCD", "WXYZ")}\n`, { mode: 0o600 });
    const log = memoryLogger();
    expect(loadIngestKey(config({ ingest_key_file: file }), { TETHER_INGEST_KEY: KEY }, log)).toBe(
      KEY,
    );
    expect(loadIngestKey(config({ ingest_key_file: file }), {}, log)).toBe(
      KEY.replace("ABCD", "WXYZ"),
    );
    expect(log.lines).toEqual([]);
    chmodSync(file, 0o644);
    loadIngestKey(config({ ingest_key_file: file }), {}, log);
    expect(log.lines.map((l) => l.msg)).toEqual([
      "the ingest key file is readable by group or others; chmod 600 it",
    ]);
    expect(JSON.stringify(log.lines)).not.toContain("tk_ingest_");
  });

  it("refuses a missing, unreadable or foreign key with a message that names where it looked", () => {
    const log = memoryLogger();
    expect(() => loadIngestKey(config(), {}, log)).toThrow(
      "TETHER_INGEST_KEY or telemetry.ingest_key_file",
    );
    expect(() => loadIngestKey(config({ ingest_key_file: "/nonexistent/k" }), {}, log)).toThrow(
      "config: telemetry.ingest_key_file: cannot read /nonexistent/k",
    );
    expect(() =>
      loadIngestKey(config(), { TETHER_INGEST_KEY: "tk_admin_xxxxxxxxxxxxxxxxxxxx" }, log),
    ).toThrow("the ingest key from TETHER_INGEST_KEY is not a tk_ingest_ key");
  });
});
