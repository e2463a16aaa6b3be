import { mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cachePath, loadCachedState, saveCachedState } from "./cache.ts";
import { loadIdentity, saveIdentity } from "./identity.ts";
import { sampleState } from "./test-state.ts";

describe("state cache and identity", () => {
  it("round-trips the state atomically with mode 0600 and no temp files left", () => {
    const dir = mkdtempSync(join(tmpdir(), "tether-cache-"));
    expect(loadCachedState(dir)).toBeUndefined();
    saveCachedState(dir, sampleState());
    saveCachedState(dir, sampleState({ revision: 9 }));
    expect(loadCachedState(dir)?.state.revision).toBe(9);
    expect(statSync(cachePath(dir)).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(["state.json"]);
  });

  it("ignores a damaged cache", () => {
    const dir = mkdtempSync(join(tmpdir(), "tether-cache-"));
    writeFileSync(cachePath(dir), "{");
    expect(loadCachedState(dir)).toBeUndefined();
    writeFileSync(cachePath(dir), JSON.stringify({ state: { revision: "x" } }));
    expect(loadCachedState(dir)).toBeUndefined();
  });

  it("stores the identity 0600", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "tether-id-")), "nested");
    const identity = {
      node_id: "n",
      server: "http://x",
      credential: "tk_node_x",
      private_key: "k",
      public_key: "p",
      mesh_ip: "10.100.0.1",
      mesh_cidr: "10.100.0.0/16",
      hostname: "h",
    };
    saveIdentity(dir, identity);
    expect(loadIdentity(dir)).toEqual(identity);
    expect(statSync(join(dir, "identity.json")).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });
});
