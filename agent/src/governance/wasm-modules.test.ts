import { createHash } from "node:crypto";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EdgeWasmPolicy } from "@tether/schema/wire";
import { describe, expect, it } from "vitest";
import { memoryLogger } from "../log.ts";
import { abiModule, wasmPolicy } from "./test-policies.ts";
import { WasmModules, wasmModulesDir } from "./wasm-modules.ts";
import { checkSha256, WasmPolicyError } from "./wasm-policy.ts";

/** With the OPA Wasm ABI fixture (dev/fixtures/opa-abi/policy.wat: hand-written, not OPA-compiled). */
const admin = await abiModule();
const owner = await abiModule("owner");
const served = new Map([admin, owner].map((m) => [m.sha256, m.bytes]));

/** Modules over a data dir, "fetching" from `served` (hash-checked as fetchWasmModule does). */
function modules(dataDir: string, opts: { offline?: boolean } = {}) {
  const fetched: string[] = [];
  const log = memoryLogger();
  const m = new WasmModules({
    dir: wasmModulesDir(dataDir),
    log,
    fetch: async (p: EdgeWasmPolicy) => {
      fetched.push(p.sha256);
      if (opts.offline) throw new WasmPolicyError("fetch", "GET the module: fetch failed");
      const bytes = served.get(p.sha256);
      if (!bytes) throw new WasmPolicyError("fetch", "GET the module: 404");
      checkSha256(bytes, p.sha256);
      return bytes;
    },
  });
  return { m, fetched, log };
}

const online = { signal: new AbortController().signal, fetch: true };
const fileOf = (dataDir: string, sha256: string) =>
  join(dataDir, "policies", "wasm", `${sha256}.wasm`);

describe("WasmModules", () => {
  it("fetches a module once, keeps it on disk (0600, by SHA-256), and loads it from there after a restart without the control plane", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tether-wasm-"));
    const first = modules(dir);
    const policy = wasmPolicy(admin);
    const loaded = await first.m.load(policy, online);
    expect(loaded.evaluate("tether/authz/allow", { user: "admin" }).value).toBe(true);
    await first.m.load(policy, online);
    await first.m.load(wasmPolicy(admin, { version: 2, mode: "audit" }), online);
    expect(first.fetched).toEqual([admin.sha256]);
    const file = fileOf(dir, admin.sha256);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(file)).equals(Buffer.from(admin.bytes))).toBe(true);
    // No temp file is left behind by the atomic write.
    expect(readdirSync(join(dir, "policies", "wasm"))).toEqual([`${admin.sha256}.wasm`]);

    const restarted = modules(dir, { offline: true });
    const fromDisk = { ...online, fetch: false };
    const again = await restarted.m.load(policy, fromDisk);
    expect(again.evaluate("tether/authz/allow", { user: "admin" }).value).toBe(true);
    expect(restarted.fetched).toEqual([]);
    // Told not to fetch (starting from the cache): a module not on disk fails without a request.
    await expect(restarted.m.load(wasmPolicy(owner), fromDisk)).rejects.toMatchObject({
      stage: "fetch",
      message: "the module is not kept on disk; it is fetched once the control plane answers",
    });
    expect(restarted.fetched).toEqual([]);
  });

  it("fetches again a kept module that is damaged, and replaces it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tether-wasm-"));
    await modules(dir).m.load(wasmPolicy(admin), online);
    const file = fileOf(dir, admin.sha256);
    const damaged = Buffer.from(admin.bytes);
    damaged[damaged.length - 1]! ^= 1;
    writeFileSync(file, damaged);
    const next = modules(dir);
    const loaded = await next.m.load(wasmPolicy(admin), online);
    expect(loaded.sha256).toBe(admin.sha256);
    expect(next.fetched).toEqual([admin.sha256]);
    expect(Buffer.from(readFileSync(file)).equals(Buffer.from(admin.bytes))).toBe(true);
    expect(next.log.lines.map((l) => l.msg)).toContain(
      "a kept Wasm module is damaged: fetching it again",
    );
    // Damaged and no control plane: the integrity failure is the answer, nothing kept.
    writeFileSync(file, damaged);
    const offline = modules(dir, { offline: true });
    await expect(offline.m.load(wasmPolicy(admin), online)).rejects.toMatchObject({
      stage: "fetch",
    });
    expect(existsSync(file)).toBe(false);
  });

  it("forgets a module it could not fetch (tried again next time), remembers one opa-wasm refuses", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tether-wasm-"));
    const { m, fetched } = modules(dir);
    const missing = wasmPolicy({ bytes: new Uint8Array(8), sha256: "e".repeat(64) });
    await expect(m.load(missing, online)).rejects.toMatchObject({ stage: "fetch" });
    await expect(m.load(missing, online)).rejects.toMatchObject({ stage: "fetch" });
    expect(fetched).toEqual(["e".repeat(64), "e".repeat(64)]);

    const text = new TextEncoder().encode("not wasm");
    const junk = { bytes: text, sha256: createHash("sha256").update(text).digest("hex") };
    served.set(junk.sha256, junk.bytes);
    await expect(m.load(wasmPolicy(junk), online)).rejects.toMatchObject({ stage: "load" });
    await expect(m.load(wasmPolicy(junk), online)).rejects.toMatchObject({ stage: "load" });
    expect(fetched.filter((h) => h === junk.sha256)).toHaveLength(1);
    expect(existsSync(fileOf(dir, junk.sha256))).toBe(false);
  });

  it("retain() deletes the modules (and leftover temp files) no kept hash names", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tether-wasm-"));
    const { m, fetched } = modules(dir);
    await m.load(wasmPolicy(admin), online);
    await m.load(wasmPolicy(owner), online);
    const folder = join(dir, "policies", "wasm");
    writeFileSync(join(folder, ".123.456.abc.tmp"), "torn");
    writeFileSync(join(folder, "notes.txt"), "not ours");
    m.retain(new Set([owner.sha256]));
    expect(readdirSync(folder).sort()).toEqual([`${owner.sha256}.wasm`, "notes.txt"]);
    // The forgotten one is fetched again; the kept one is not.
    await m.load(wasmPolicy(owner), online);
    await m.load(wasmPolicy(admin), online);
    expect(fetched).toEqual([admin.sha256, owner.sha256, admin.sha256]);
    m.retain(new Set());
    expect(readdirSync(folder)).toEqual(["notes.txt"]);
  });
});
