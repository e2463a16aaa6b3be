import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NodeState } from "@tether/schema/wire";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../config/load.ts";
import { httpControlPlane } from "../daemon/api.ts";
import { Daemon } from "../daemon/daemon.ts";
import type { Enforcement } from "../daemon/ports.ts";
import { type FakeControlPlane, startFakeControlPlane } from "../daemon/test-control-plane.ts";
import { memoryLogger } from "../log.ts";
import { NODE_ID, sampleState } from "../state/test-state.ts";
import { edgeFromConfig } from "./from-config.ts";
import { localRequest } from "./test-http.ts";
import { abiModule, regoPolicy, SANDBOX_SOURCE, wasmPolicy } from "./test-policies.ts";

const kernel: Enforcement = {
  reconcile: async (s: NodeState) => ({
    applied: false,
    steps: 0,
    errors: [],
    rulesetHash: "h",
    peerCount: s.peers.length,
  }),
  teardown: async () => [],
};

let cp: FakeControlPlane | undefined;
let daemon: Daemon | undefined;
afterEach(async () => {
  await daemon?.stop();
  await cp?.close();
  daemon = cp = undefined;
});

async function until(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}

function start(url: string, dataDir: string) {
  const socket = join(dataDir, "run", "opa.sock");
  const config = loadConfig({
    flags: { data_dir: dataDir, opa_socket: socket, reconcile_interval: "60" },
  });
  const log = memoryLogger();
  const identity = { node_id: NODE_ID, credential: "tk_node_secret" };
  const d = new Daemon({
    config,
    nodeId: NODE_ID,
    api: httpControlPlane({ server: url, nodeId: NODE_ID, credential: identity.credential }),
    enforcement: kernel,
    edge: edgeFromConfig({
      config,
      server: url,
      identity,
      log,
      timing: { loadRetryBaseMs: 20, loadRetryCapMs: 100 },
    }),
    log,
    timing: { retryBaseMs: 20, retryCapMs: 100, streamBackoffBaseMs: 20 },
  });
  return { d, socket, log };
}

const allow = async (socket: string, syscall: string) =>
  (
    await localRequest(
      { socket },
      "POST",
      "/v1/data/tether/sandbox/allow",
      JSON.stringify({ input: { syscall_name: syscall } }),
    )
  ).body;

describe("the daemon with local decisions", () => {
  it("serves the state's policies, applies verified rego_policy_updated events, reports a set that does not compile and keeps answering", async () => {
    cp = await startFakeControlPlane(
      sampleState({ revision: 3, seq: 10, rego_policies: [regoPolicy({ mode: "audit" })] }),
    );
    const dir = mkdtempSync(join(tmpdir(), "tether-edge-"));
    const { d, socket, log } = start(cp.url, dir);
    daemon = d;
    await d.start();
    expect(await allow(socket, "read")).toMatchObject({ result: true, mode: "audit" });
    await until(() => cp!.streams === 1);

    // A new version over the stream: mode enforce, openat allowed.
    const v2 = regoPolicy({
      version: 2,
      revision: 4,
      mode: "enforce",
      source: SANDBOX_SOURCE.replace('{"read", "write"}', '{"read", "write", "openat"}'),
    });
    await cp.push("rego_policy_updated", { revision: 4, policy_id: v2.id, policy: v2 });
    await until(async () => (await allow(socket, "openat")).result === true);
    expect(await allow(socket, "read")).toMatchObject({ result: true, mode: "enforce" });

    // A version this agent cannot compile: reported in the status ack, v2 keeps answering.
    const broken = regoPolicy({
      version: 3,
      revision: 5,
      source: "package tether.sandbox\n\nallow if {\n  y == 1\n}\n",
    });
    await cp.push("rego_policy_updated", { revision: 5, policy_id: broken.id, policy: broken });
    await until(() => cp!.statuses.some((s) => s.applied_revision === 5 && s.errors.length > 0));
    // The first ack of revision 5 may come before the set was tried; a later one says why it failed.
    const report = cp.statuses.find((s) => s.applied_revision === 5 && s.errors.length > 0)!;
    expect(report.errors).toEqual([
      expect.stringMatching(
        /^rego policies do not compile: sandbox\.rego:4:3: rego_unsafe_var_error/,
      ),
    ]);
    expect(
      log.lines.some((l) => l.msg === "policies cannot load; the previous set keeps answering"),
    ).toBe(true);
    expect(await allow(socket, "openat")).toMatchObject({ result: true, mode: "enforce" });

    // A forged event changes nothing.
    const forged = await (await import("../verify/test-signer.ts")).newTestSigner();
    const fake = await forged.seal({
      type: "rego_policy_updated",
      seq: 99,
      payload: { revision: 9, policy_id: v2.id, policy: null },
    });
    await cp.push("rego_policy_updated", {}, JSON.stringify(fake));
    await until(() => log.lines.some((l) => l.msg === "event rejected; nothing changed"));
    expect((await allow(socket, "openat")).result).toBe(true);

    // Deleted: the document is undefined; the error is gone from the next report.
    await cp.push("rego_policy_updated", { revision: 6, policy_id: v2.id, policy: null });
    await until(async () => !("result" in (await allow(socket, "read"))));
    await until(() => cp!.statuses.some((s) => s.applied_revision === 6 && s.errors.length === 0));
  });

  it("keeps answering from the cache after a restart without the control plane", async () => {
    cp = await startFakeControlPlane(
      sampleState({ revision: 3, seq: 10, rego_policies: [regoPolicy()] }),
    );
    const dir = mkdtempSync(join(tmpdir(), "tether-edge-"));
    const first = start(cp.url, dir);
    daemon = first.d;
    await first.d.start();
    expect((await allow(first.socket, "read")).result).toBe(true);
    await first.d.stop();
    const url = cp.url;
    await cp.close();
    cp = undefined;

    const second = start(url, dir);
    daemon = second.d;
    await second.d.start();
    expect(await allow(second.socket, "read")).toMatchObject({ result: true, mode: "enforce" });
    expect((await allow(second.socket, "execve")).result).toBe(false);
    expect(
      second.log.lines.some(
        (l) => l.msg === "control plane unreachable: enforcing the cached state",
      ),
    ).toBe(true);
  });

  it("enforces Wasm policies: fetched by hash, answered with their mode, a new hash replaces the old, a module it cannot get is reported and tried again while the previous set answers", async () => {
    const v1 = await abiModule();
    const v2 = await abiModule("owner");
    const authz = wasmPolicy(v1, { mode: "audit" });
    cp = await startFakeControlPlane(
      sampleState({ revision: 4, seq: 10, rego_policies: [regoPolicy(), authz] }),
    );
    cp.modules.set(authz.id, v1.bytes);
    const dir = mkdtempSync(join(tmpdir(), "tether-edge-"));
    const { d, socket, log } = start(cp.url, dir);
    daemon = d;
    await d.start();
    const ask = async (user: string) =>
      (
        await localRequest(
          { socket },
          "POST",
          "/v1/data/tether/authz/allow",
          JSON.stringify({ input: { user } }),
        )
      ).body;
    await until(async () => (await ask("admin")).result === true);
    expect(await ask("admin")).toMatchObject({ result: true, mode: "audit" });
    expect(await ask("owner")).toMatchObject({ result: false, mode: "audit" });
    expect((await allow(socket, "read")).result).toBe(true);
    expect(cp.moduleFetches).toEqual([authz.id]);
    // Kept on disk by hash, 0600.
    const kept = join(dir, "policies", "wasm", `${v1.sha256}.wasm`);
    expect(statSync(kept).mode & 0o777).toBe(0o600);
    await until(() => cp!.streams === 1);

    // A new version, but the control plane still serves the old bytes under the policy's id:
    // refused (another SHA-256), reported in the status ack, v1 answers on.
    const next = wasmPolicy(v2, { version: 2, revision: 5, mode: "enforce" });
    await cp.push("rego_policy_updated", { revision: 5, policy_id: next.id, policy: next });
    await until(() => cp!.statuses.some((s) => s.applied_revision === 5 && s.errors.length > 0));
    expect(
      cp.statuses.find((s) => s.applied_revision === 5 && s.errors.length > 0)!.errors,
    ).toEqual([
      `Wasm policy "authz" (version 2): the module's SHA-256 is ${v1.sha256}, not the expected ${v2.sha256}: refusing to load it`,
    ]);
    expect(await ask("admin")).toMatchObject({ result: true, mode: "audit" });
    // It is tried again, and once the module is there it answers and the error clears.
    await until(() => cp!.moduleFetches.length >= 3);
    cp.modules.set(next.id, v2.bytes);
    await until(async () => (await ask("owner")).result === true);
    expect(await ask("admin")).toMatchObject({ result: false, mode: "enforce" });
    await until(() => {
      const last = cp!.statuses.at(-1)!;
      return last.applied_revision === 5 && last.errors.length === 0;
    });
    expect(log.lines.some((l) => l.msg === "policies loaded")).toBe(true);
    // On disk: the answering module, and the one before it (the cached state may still name it).
    expect(readdirSync(join(dir, "policies", "wasm")).sort()).toEqual(
      [`${v1.sha256}.wasm`, `${v2.sha256}.wasm`].sort(),
    );
    expect(
      log.lines
        .filter((l) => l.msg === "policies cannot load; the previous set keeps answering")
        .map((l) => l.level),
    ).toEqual(["error", ...Array(cp.moduleFetches.length - 3).fill("debug")]);

    // The same state again (a refetch) fetches nothing.
    const fetches = cp.moduleFetches.length;
    cp.state = { ...cp.state, revision: 5, rego_policies: [regoPolicy(), next] };
    cp.dropStreams();
    await until(() => cp!.streams === 2);
    await d.settled();
    expect(cp.moduleFetches).toHaveLength(fetches);
  }, 20_000);

  it("answers a Wasm policy from the module kept on disk after a restart without the control plane", async () => {
    const module = await abiModule();
    const authz = wasmPolicy(module);
    cp = await startFakeControlPlane(sampleState({ revision: 4, seq: 10, rego_policies: [authz] }));
    cp.modules.set(authz.id, module.bytes);
    const dir = mkdtempSync(join(tmpdir(), "tether-edge-"));
    const first = start(cp.url, dir);
    daemon = first.d;
    await first.d.start();
    await until(() => cp!.moduleFetches.length === 1);
    await first.d.stop();
    const url = cp.url;
    await cp.close();
    cp = undefined;

    const second = start(url, dir);
    daemon = second.d;
    await second.d.start();
    const res = await localRequest(
      { socket: second.socket },
      "POST",
      "/v1/data/tether/authz/allow",
      JSON.stringify({ input: { user: "admin" } }),
    );
    expect(res).toMatchObject({ status: 200, body: { result: true, mode: "enforce" } });
  });

  it("starts from a cached state whose module is not on disk without waiting for it, then fetches it", async () => {
    const module = await abiModule();
    const authz = wasmPolicy(module);
    cp = await startFakeControlPlane(sampleState({ revision: 4, seq: 10, rego_policies: [authz] }));
    cp.modules.set(authz.id, module.bytes);
    const dir = mkdtempSync(join(tmpdir(), "tether-edge-"));
    const first = start(cp.url, dir);
    daemon = first.d;
    await first.d.start();
    await until(() => cp!.moduleFetches.length === 1);
    await first.d.stop();
    rmSync(join(dir, "policies", "wasm"), { recursive: true });

    const second = start(cp.url, dir);
    daemon = second.d;
    await second.d.start();
    const ask = () =>
      localRequest(
        { socket: second.socket },
        "POST",
        "/v1/data/tether/authz/allow",
        JSON.stringify({ input: { user: "admin" } }),
      );
    await until(async () => (await ask()).body.result === true);
    expect(cp.moduleFetches).toHaveLength(2);
    // The cached state was tried from disk only (no fetch), and said so.
    expect(
      second.log.lines.find(
        (l) => l.msg === "policies cannot load; the previous set keeps answering",
      )?.errors,
    ).toEqual([
      'Wasm policy "authz" (version 1): the module is not kept on disk; it is fetched once the control plane answers',
    ]);
  });
});
