import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { decisionLogs } from "@tether/schema/tables";
import type { NodeState } from "@tether/schema/wire";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ControlPlane, freePort, startControlPlane } from "../../dev/control-plane.ts";
import { compileAbiFixture } from "../../dev/fixtures/opa-abi/compile.ts";
import { openDatabase } from "../../dev/node-database.ts";
import { join } from "../src/cli/join.ts";
import { loadConfig } from "../src/config/load.ts";
import { httpControlPlane } from "../src/daemon/api.ts";
import { Daemon } from "../src/daemon/daemon.ts";
import type { Enforcement } from "../src/daemon/ports.ts";
import { edgeFromConfig } from "../src/governance/from-config.ts";
import { localRequest } from "../src/governance/test-http.ts";
import { createLogger } from "../src/log.ts";
import { loadIdentity } from "../src/state/identity.ts";

/**
 * Enforcement at the edge against the real control plane (wrangler dev +
 * embedded Postgres): Rego policies and a compiled Wasm policy reach the
 * agent over the signed event stream (the Wasm module fetched by hash and
 * kept on disk), the agent's local OPA endpoint answers from them, keeps
 * answering with the control plane stopped (also after an agent restart),
 * and the decisions made meanwhile reach the database once each when it
 * returns. The Wasm module is the OPA Wasm ABI fixture
 * (dev/fixtures/opa-abi/policy.wat: hand-written, not OPA-compiled).
 *
 * The kernel side (WireGuard, nftables) is out of scope here and needs root:
 * the daemon runs with an Enforcement that only records the states it is
 * given; mesh.netns.test.ts covers the kernel with the real one.
 */
const SANDBOX_V1 = `package tether.sandbox

default allow := false

allow if input.syscall_name in {"read", "write"}
`;
const SANDBOX_V2 = SANDBOX_V1.replace('{"read", "write"}', '{"read", "write", "openat"}');
const NET = `package tether.net

allow if input.port == 443
`;

class RecordingEnforcement implements Enforcement {
  states: NodeState[] = [];
  async reconcile(desired: NodeState) {
    this.states.push(desired);
    return {
      applied: false,
      steps: 0,
      errors: [],
      rulesetHash: null,
      peerCount: desired.peers.length,
    };
  }
  async teardown() {
    return [];
  }
}

describe("edge enforcement with the real control plane", () => {
  let cp: ControlPlane | undefined;
  let cpPort = 0;
  let cpDir = "";
  let admin = "";
  let dataDir = "";
  let socket = "";
  let nodeId = "";
  let otherDir = "";
  let otherNodeId = "";
  let daemon: Daemon | undefined;
  const logs: string[] = [];
  /** Every decision id the local endpoint answered with. */
  const decided: string[] = [];

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${cp!.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text);
  };

  const eventually = async (what: string, fn: () => Promise<boolean>, ms = 30_000) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (await fn().catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`timed out: ${what}\n${logs.slice(-25).join("\n")}`);
  };

  /** Asks the agent's local endpoint, as a sandbox enforcer would. */
  const ask = async (path: string, input: unknown) => {
    const res = await localRequest(
      { socket },
      "POST",
      `/v1/data/${path}`,
      JSON.stringify({ input }),
    );
    if (res.status === 200) decided.push(res.body.decision_id);
    return res;
  };

  const startAgent = async () => {
    const config = loadConfig({
      env: {},
      flags: {
        data_dir: dataDir,
        opa_socket: socket,
        reconcile_interval: "3",
        idle_timeout: "30",
        log_level: "debug",
      },
    });
    const identity = loadIdentity(dataDir)!;
    const log = createLogger({
      level: "debug",
      write: (line) => {
        logs.push(line);
        if (process.env.TETHER_TEST_LOGS) process.stdout.write(`[agent] ${line}\n`);
      },
    });
    daemon = new Daemon({
      config,
      nodeId: identity.node_id,
      api: httpControlPlane({
        server: identity.server,
        nodeId: identity.node_id,
        credential: identity.credential,
      }),
      enforcement: new RecordingEnforcement(),
      edge: edgeFromConfig({
        config,
        server: identity.server,
        identity,
        log,
        timing: { flushAfterMs: 100, backoffBaseMs: 200, backoffCapMs: 1000 },
      }),
      log,
      timing: { retryBaseMs: 200, retryCapMs: 2000, streamBackoffBaseMs: 200 },
    });
    await daemon.start();
  };

  const stopAgent = async () => {
    await daemon?.stop();
    daemon = undefined;
  };

  const startCp = async () => {
    cp = await startControlPlane({ port: cpPort, dataDir: cpDir });
  };

  /** The agent-shipped decision rows of this node, straight from Postgres. */
  const storedDecisions = async () => {
    const { db, close } = openDatabase(cp!.databaseUrl, cp!.dbWsProxy);
    try {
      return await db
        .select({
          id: decisionLogs.decisionId,
          path: decisionLogs.path,
          result: decisionLogs.result,
          mode: decisionLogs.mode,
          policyId: decisionLogs.policyId,
          source: decisionLogs.source,
        })
        .from(decisionLogs)
        .where(and(eq(decisionLogs.nodeId, nodeId), eq(decisionLogs.source, "agent")));
    } finally {
      await close();
    }
  };

  beforeAll(async () => {
    cpPort = await freePort();
    cpDir = mkdtempSync(joinPath(tmpdir(), "tether-cp-edge-"));
    await startCp();
    admin = cp!.firstAdminKey!;
    dataDir = mkdtempSync(joinPath(tmpdir(), "tether-agent-edge-"));
    socket = joinPath(dataDir, "run", "opa.sock");
    const { token } = await api("POST", "/api/enrollment-tokens", { name: "edge", reusable: true });
    nodeId = (await join({ server: cp!.url, token, dataDir, name: "edge-1", hostname: "edge-1" }))
      .node_id;
    // A second node, enrolled but not running: policies may target it instead.
    otherDir = mkdtempSync(joinPath(tmpdir(), "tether-agent-edge-b-"));
    otherNodeId = (
      await join({ server: cp!.url, token, dataDir: otherDir, name: "edge-2", hostname: "edge-2" })
    ).node_id;
    await startAgent();
  }, 240_000);

  afterAll(async () => {
    await stopAgent().catch(() => {});
    await cp?.stop().catch(() => {});
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (otherDir) rmSync(otherDir, { recursive: true, force: true });
    if (cpDir) rmSync(cpDir, { recursive: true, force: true });
  }, 60_000);

  let sandboxId = "";

  it("receives targeted policies over the signed stream and answers from them, audit marked", async () => {
    // Before any policy: the endpoint is up and every document is undefined.
    await eventually("the endpoint is healthy", async () => {
      return (await localRequest({ socket }, "GET", "/health")).status === 200;
    });
    expect((await ask("tether/sandbox/allow", { syscall_name: "read" })).body).not.toHaveProperty(
      "result",
    );

    const sandbox = await api("POST", "/api/opa/policies", {
      name: "sandbox",
      source: SANDBOX_V1,
      status: "active",
      mode: "enforce",
      target_nodes: [nodeId],
    });
    sandboxId = sandbox.id;
    await api("POST", "/api/opa/policies", { name: "net", source: NET, status: "active" });
    // Neither another node's policy nor a draft reaches this node.
    await api("POST", "/api/opa/policies", {
      name: "only_b",
      source: "package tether.only_b\n\nx := 1\n",
      status: "active",
      target_nodes: [otherNodeId],
    });
    await api("POST", "/api/opa/policies", {
      name: "draft",
      source: "package tether.draft\n\nx := 1\n",
    });

    await eventually("the sandbox policy answers", async () => {
      const r = await ask("tether/sandbox/allow", { syscall_name: "read" });
      return r.body.result === true;
    });
    expect((await ask("tether/sandbox/allow", { syscall_name: "execve" })).body).toMatchObject({
      result: false,
      mode: "enforce",
    });
    await eventually("the net policy answers", async () => {
      const r = await ask("tether/net/allow", { port: 443 });
      return r.body.result === true;
    });
    const audit = await ask("tether/net/allow", { port: 22 });
    expect(audit.body).toEqual({ decision_id: expect.any(String), mode: "audit" });
    expect((await ask("tether/only_b/x", {})).body).not.toHaveProperty("result");
    expect((await ask("tether/draft/x", {})).body).not.toHaveProperty("result");

    // It came as verified events (not a refetch), and the cache holds exactly this node's set.
    expect(logs.some((l) => l.includes('"event":"rego_policy_updated"'))).toBe(true);
    await eventually("the cache holds the policies", async () => {
      const c = JSON.parse(readFileSync(joinPath(dataDir, "state.json"), "utf8"));
      return c.state.rego_policies.map((p: { name: string }) => p.name).join() === "net,sandbox";
    });

    // A new version replaces the old one.
    await api("PUT", `/api/opa/policies/${sandboxId}`, {
      name: "sandbox",
      source: SANDBOX_V2,
      status: "active",
      mode: "enforce",
      target_nodes: [nodeId],
    });
    await eventually("version 2 answers", async () => {
      const r = await ask("tether/sandbox/allow", { syscall_name: "openat" });
      return r.body.result === true;
    });
  }, 120_000);

  let authzId = "";
  const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
  const keptModules = () => readdirSync(joinPath(dataDir, "policies", "wasm")).sort();

  it("fetches a targeted Wasm policy's module by hash, keeps it on disk and answers its entrypoints with opa-wasm; a new module replaces it", async () => {
    const v1 = await compileAbiFixture();
    const v2 = await compileAbiFixture({ allowedUser: "owner" });
    const authz = await api("POST", "/api/opa/wasm-policies", {
      name: "authz",
      module: Buffer.from(v1).toString("base64"),
      entrypoints: ["tether/authz/allow", "tether/authz/user"],
      status: "active",
      mode: "audit",
      target_nodes: [nodeId],
    });
    authzId = authz.id;
    expect(authz.sha256).toBe(sha256(v1));
    await eventually("the Wasm policy answers", async () => {
      const r = await ask("tether/authz/allow", { user: "admin" });
      return r.body.result === true;
    });
    expect((await ask("tether/authz/allow", { user: "owner" })).body).toEqual({
      result: false,
      decision_id: expect.any(String),
      mode: "audit",
    });
    expect((await ask("tether/authz/user", { user: "eve" })).body).toMatchObject({
      result: "eve",
      mode: "audit",
    });
    // Not one of the policy's entrypoints (the module has it, the policy does not serve it).
    expect((await ask("tether/authz/conflict", { user: 1 })).body).toEqual({
      decision_id: expect.any(String),
    });
    // The Rego policies answer beside it.
    expect((await ask("tether/sandbox/allow", { syscall_name: "openat" })).body.result).toBe(true);
    expect(keptModules()).toEqual([`${sha256(v1)}.wasm`]);
    const file = joinPath(dataDir, "policies", "wasm", `${sha256(v1)}.wasm`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(sha256(readFileSync(file))).toBe(sha256(v1));

    // A new module (and mode) over the stream: the agent fetches the new hash and answers with it.
    await api("PUT", `/api/opa/wasm-policies/${authzId}`, {
      name: "authz",
      module: Buffer.from(v2).toString("base64"),
      entrypoints: ["tether/authz/allow", "tether/authz/user"],
      status: "active",
      mode: "enforce",
      target_nodes: [nodeId],
    });
    await eventually("version 2 of the Wasm policy answers", async () => {
      const r = await ask("tether/authz/allow", { user: "owner" });
      return r.body.result === true && r.body.mode === "enforce";
    });
    expect((await ask("tether/authz/allow", { user: "admin" })).body).toMatchObject({
      result: false,
      mode: "enforce",
    });
    expect(keptModules()).toEqual([`${sha256(v1)}.wasm`, `${sha256(v2)}.wasm`].sort());
    // Its status acks carry no error once it answers.
    expect(logs.some((l) => l.includes("policies cannot load"))).toBe(false);
  }, 120_000);

  it("ships its decisions while the control plane is up", async () => {
    await eventually("the decisions so far are stored", async () => {
      const rows = await storedDecisions();
      return rows.length === decided.length;
    });
    const rows = await storedDecisions();
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(decided));
    const audit = rows.find((r) => r.path === "tether/net/allow" && r.result === null);
    expect(audit?.mode).toBe("audit");
    expect(rows.find((r) => r.policyId === sandboxId)?.mode).toBe("enforce");
    // The Wasm policy's decisions, with its id and the mode of the version that made them.
    const wasmRows = rows.filter((r) => r.policyId === authzId);
    expect(new Set(wasmRows.map((r) => r.path))).toEqual(
      new Set(["tether/authz/allow", "tether/authz/user"]),
    );
    expect(new Set(wasmRows.map((r) => r.mode))).toEqual(new Set(["audit", "enforce"]));
    expect(wasmRows.find((r) => r.path === "tether/authz/user")?.result).toBe("eve");
  }, 60_000);

  it("answers from its cache with the control plane stopped, also after a restart; the outage's decisions arrive once each", async () => {
    const before = decided.length;
    await cp!.stop();
    cp = undefined;
    const answersDown = [];
    for (let i = 0; i < 20; i++) {
      answersDown.push(
        (await ask("tether/sandbox/allow", { syscall_name: i % 2 ? "read" : "execve" })).body,
      );
    }
    expect(answersDown.map((a) => a.result)).toEqual(
      Array.from({ length: 20 }, (_, i) => i % 2 === 1),
    );
    // The Wasm policy answers too, from the module in memory.
    for (const user of ["owner", "admin", "owner", "eve"]) {
      const r = await ask("tether/authz/allow", { user });
      expect(r.body).toMatchObject({ result: user === "owner", mode: "enforce" });
    }

    // Restart the agent while the control plane is still away.
    await stopAgent();
    await startAgent();
    expect((await localRequest({ socket }, "GET", "/health")).status).toBe(200);
    for (let i = 0; i < 10; i++) {
      const r = await ask("tether/sandbox/allow", { syscall_name: "openat" });
      expect(r.body).toMatchObject({ result: true, mode: "enforce" });
    }
    expect((await ask("tether/net/allow", { port: 22 })).body.mode).toBe("audit");
    // The restarted agent loaded the Wasm module from disk: no control plane to fetch it from.
    for (const user of ["owner", "admin", "owner"]) {
      const r = await ask("tether/authz/allow", { user });
      expect(r.body).toMatchObject({ result: user === "owner", mode: "enforce" });
    }
    expect((await ask("tether/authz/user", { user: "zed" })).body.result).toBe("zed");
    expect(logs.some((l) => l.includes("policies cannot load"))).toBe(false);
    const outage = decided.slice(before);
    expect(outage).toHaveLength(31 + 4 + 4);

    // The control plane returns (same database, same keys); the spool drains.
    await startCp();
    await eventually(
      "every outage decision is stored",
      async () => (await storedDecisions()).length === decided.length,
      90_000,
    );
    // A few more retry rounds must not add anything.
    await new Promise((r) => setTimeout(r, 2500));
    const rows = await storedDecisions();
    expect(rows).toHaveLength(decided.length);
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(decided));
    expect(rows.every((r) => r.source === "agent")).toBe(true);
    const outageRows = rows.filter((r) => outage.includes(r.id));
    expect(outageRows.filter((r) => r.policyId === authzId)).toHaveLength(8);
    const spoolStatus = JSON.parse(
      readFileSync(joinPath(dataDir, "spool-status", "decisions.json"), "utf8"),
    );
    expect(spoolStatus).toMatchObject({ pending: 0, rejected: 0 });
  }, 240_000);
});
