import { spawnSync } from "node:child_process";
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EdgePolicy } from "@tether/schema/wire";
import { afterEach, describe, expect, it } from "vitest";
import { memoryLogger } from "../log.ts";
import { decide, type LocalDecision } from "./decide.ts";
import { type LocalDecider, OpaServer } from "./opa-server.ts";
import { PolicySet, type WasmLoader } from "./policy-set.ts";
import { localRequest } from "./test-http.ts";
import { abiModule, netPolicy, regoPolicy, wasmPolicy } from "./test-policies.ts";
import { loadWasmPolicy } from "./wasm-policy.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A decider over a real PolicySet, keeping every decision it made. */
async function decider(policies: EdgePolicy[] | undefined, loadWasm?: WasmLoader) {
  const set = new PolicySet(loadWasm);
  if (policies) await set.update(policies);
  const made: LocalDecision[] = [];
  const d: LocalDecider & { made: LocalDecision[]; set: PolicySet } = {
    made,
    set,
    ready: () => set.current !== undefined,
    decide: (path, input) => {
      const out = decide(set.current!, path, input);
      made.push(out);
      return out;
    },
  };
  return d;
}

let servers: OpaServer[] = [];
afterEach(async () => {
  for (const s of servers) await s.close();
  servers = [];
});

async function serve(d: LocalDecider, opts: { socket?: string; port?: number } = {}) {
  const server = new OpaServer(d, memoryLogger());
  servers.push(server);
  const socket = opts.socket ?? join(mkdtempSync(join(tmpdir(), "tether-opa-")), "run", "opa.sock");
  await server.listen({ socket, ...opts });
  return { server, socket };
}

const post = (socket: string, path: string, body: unknown) =>
  localRequest({ socket }, "POST", path, typeof body === "string" ? body : JSON.stringify(body));

describe("local OPA endpoint", () => {
  it("answers POST /v1/data with OPA's shape: result (absent when undefined), decision_id, and the owning policy's mode", async () => {
    const d = await decider([regoPolicy(), netPolicy()]);
    const { socket } = await serve(d);

    const allowed = await post(socket, "/v1/data/tether/sandbox/allow", {
      input: { syscall_name: "read" },
    });
    expect(allowed.status).toBe(200);
    expect(allowed.headers["content-type"]).toBe("application/json");
    expect(allowed.body).toEqual({
      result: true,
      decision_id: expect.stringMatching(UUID),
      mode: "enforce",
    });
    expect(allowed.body.decision_id).toBe(d.made[0]!.decisionId);

    const denied = await post(socket, "/v1/data/tether/sandbox/allow", {
      input: { syscall_name: "execve" },
    });
    expect(denied.body).toMatchObject({ result: false, mode: "enforce" });
    const reasons = await post(socket, "/v1/data/tether/sandbox/reasons", {
      input: { syscall_name: "execve" },
    });
    expect(reasons.body.result).toEqual(["exec is never allowed"]);

    // The audit policy: the decision is made and marked, for the enforcer to log, not block.
    const audit = await post(socket, "/v1/data/tether/net/allow", { input: { port: 22 } });
    expect(audit.body).toEqual({ decision_id: expect.stringMatching(UUID), mode: "audit" });
    expect(audit.body).not.toHaveProperty("result");
    const auditYes = await post(socket, "/v1/data/tether/net/allow", { input: { port: 443 } });
    expect(auditYes.body).toMatchObject({ result: true, mode: "audit" });

    // No policy owns the path: undefined, no mode.
    const nowhere = await post(socket, "/v1/data/nowhere/allow", { input: {} });
    expect(nowhere.body).toEqual({ decision_id: expect.stringMatching(UUID) });
    // Without input, and with an empty body.
    const noInput = await localRequest({ socket }, "POST", "/v1/data/tether/sandbox/allow");
    expect(noInput.body).toMatchObject({ result: false });
    const dataDoc = await post(socket, "/v1/data", { input: { port: 443 } });
    expect(dataDoc.body.result).toMatchObject({ tether: { net: { allow: true } } });

    // Every decision was made once, with its own id.
    expect(new Set(d.made.map((m) => m.decisionId)).size).toBe(d.made.length);
    expect(d.made).toHaveLength(8);
  });

  it("answers GET /v1/data with ?input= as OPA does, paths URL-decoded", async () => {
    const d = await decider([regoPolicy()]);
    const { socket } = await serve(d);
    const input = encodeURIComponent(JSON.stringify({ syscall_name: "write" }));
    const res = await localRequest(
      { socket },
      "GET",
      `/v1/data/tether/sandbox/allow?input=${input}`,
    );
    expect(res.body).toMatchObject({ result: true, mode: "enforce" });
    const encoded = await localRequest({ socket }, "GET", "/v1/data/tether/%73andbox/allow");
    expect(encoded.body).toMatchObject({ result: false });
    expect(d.made.map((m) => m.path)).toEqual(["tether/sandbox/allow", "tether/sandbox/allow"]);
  });

  it("answers bad requests with OPA's error object, deciding nothing", async () => {
    const d = await decider([regoPolicy()]);
    const { socket } = await serve(d);
    const cases: [Promise<{ status: number; body: unknown }>, number, string, RegExp][] = [
      [
        post(socket, "/v1/data/tether/sandbox/allow", '{"input":'),
        400,
        "invalid_parameter",
        /^body contains malformed input document: /,
      ],
      [
        post(socket, "/v1/data/tether/sandbox/allow", "[1,2]"),
        400,
        "invalid_parameter",
        /not an object$/,
      ],
      [
        localRequest({ socket }, "GET", "/v1/data/x?input=%7Bnope"),
        400,
        "invalid_parameter",
        /^malformed input document/,
      ],
      [
        localRequest({ socket }, "GET", "/v1/data/%E0%A4%A"),
        400,
        "invalid_parameter",
        /percent-encoding/,
      ],
      [
        localRequest({ socket }, "GET", `/v1/data/${"a".repeat(1001)}`),
        400,
        "invalid_parameter",
        /longer than 1000/,
      ],
      [
        post(socket, "/v1/data/x", { input: "x".repeat(1024 * 1024) }),
        413,
        "invalid_parameter",
        /larger than 1048576 bytes/,
      ],
      [
        localRequest({ socket }, "PUT", "/v1/data/x", "{}"),
        405,
        "resource_not_found",
        /not allowed/,
      ],
      [
        localRequest({ socket }, "GET", "/v1/policies"),
        404,
        "resource_not_found",
        /no such endpoint/,
      ],
      [localRequest({ socket }, "POST", "/health"), 405, "resource_not_found", /not allowed/],
    ];
    for (const [pending, status, code, message] of cases) {
      const res = await pending;
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(res.body).toEqual({ code, message: expect.stringMatching(message) });
    }
    expect(d.made).toEqual([]);
    // Still serving after all that.
    expect((await post(socket, "/v1/data/tether/sandbox/allow", {})).status).toBe(200);
  });

  it("answers an evaluation error with 500 internal_error and the Rego error, logging nothing", async () => {
    const conflict = regoPolicy({
      source: "package tether.sandbox\n\nv := 1 if input.a\nv := 2 if input.b\n",
    });
    const d = await decider([conflict]);
    const { socket } = await serve(d);
    const res = await post(socket, "/v1/data/tether/sandbox/v", { input: { a: true, b: true } });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      code: "internal_error",
      message: expect.stringMatching(/^eval_conflict_error: /),
    });
    expect(d.made).toEqual([]);
  });

  it("answers a Wasm policy's entrypoints through opa-wasm with its mode; its evaluation errors are 500s, logging nothing", async () => {
    const module = await abiModule();
    const d = await decider([regoPolicy(), wasmPolicy(module, { mode: "audit" })], (p) =>
      loadWasmPolicy(module.bytes, p.sha256),
    );
    const { socket } = await serve(d);
    const admin = await post(socket, "/v1/data/tether/authz/allow", { input: { user: "admin" } });
    expect(admin).toMatchObject({ status: 200 });
    expect(admin.body).toEqual({
      result: true,
      decision_id: expect.stringMatching(UUID),
      mode: "audit",
    });
    const user = await localRequest(
      { socket },
      "GET",
      `/v1/data/tether/authz/user?input=${encodeURIComponent('{"user":"eve"}')}`,
    );
    expect(user.body).toMatchObject({ result: "eve", mode: "audit" });
    const undef = await post(socket, "/v1/data/tether/authz/user", { input: { user: 3 } });
    expect(undef.body).toEqual({ decision_id: expect.stringMatching(UUID), mode: "audit" });
    expect(d.made.map((m) => m.log.policy_id)).toEqual([
      wasmPolicy(module).id,
      wasmPolicy(module).id,
      wasmPolicy(module).id,
    ]);

    const conflict = await post(socket, "/v1/data/tether/authz/conflict", { input: { user: 1 } });
    expect(conflict.status).toBe(500);
    expect(conflict.body).toEqual({
      code: "internal_error",
      message: expect.stringMatching(/^wasm_eval_error: .*eval_conflict_error/),
    });
    expect(d.made).toHaveLength(3);
    // The Rego set answers beside it.
    expect(
      (await post(socket, "/v1/data/tether/sandbox/allow", { input: { syscall_name: "read" } }))
        .body,
    ).toMatchObject({ result: true, mode: "enforce" });
  });

  it("is unhealthy and answers no decision before a policy set is loaded", async () => {
    const d = await decider(undefined);
    const { socket } = await serve(d);
    const health = await localRequest({ socket }, "GET", "/health");
    expect(health).toMatchObject({ status: 500, body: { code: "internal_error" } });
    const early = await post(socket, "/v1/data/tether/sandbox/allow", { input: {} });
    expect(early.status).toBe(500);
    expect(early.body.message).toMatch(/no policies loaded yet/);
    await d.set.update([]);
    expect(await localRequest({ socket }, "GET", "/health")).toMatchObject({
      status: 200,
      body: {},
    });
    expect((await post(socket, "/v1/data/tether/sandbox/allow", {})).body).toEqual({
      decision_id: expect.stringMatching(UUID),
    });
  });

  it("listens on a 0660 unix socket and on 127.0.0.1, replaces a stale socket, refuses one in use", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tether-opa-"));
    const socket = join(dir, "run", "opa.sock");
    const d = await decider([regoPolicy()]);
    // As under systemd (UMask=0077): the modes must not depend on the umask.
    const umask = process.umask(0o077);
    const { server } = await serve(d, { socket, port: 0 }).finally(() => process.umask(umask));
    expect(statSync(socket).mode & 0o777).toBe(0o660);
    expect(statSync(join(dir, "run")).mode & 0o777).toBe(0o750);
    expect(server.port).toBeGreaterThan(0);
    expect(server.addresses).toEqual([socket, `127.0.0.1:${server.port}`]);
    const tcp = await localRequest(
      { port: server.port! },
      "POST",
      "/v1/data/tether/sandbox/allow",
      JSON.stringify({ input: { syscall_name: "read" } }),
    );
    expect(tcp.body.result).toBe(true);

    // A second endpoint on the same socket: the first one answers, so it is refused.
    const second = new OpaServer(d, memoryLogger());
    await expect(second.listen({ socket })).rejects.toThrow(/in use/);
    await server.close();
    servers = [];
    expect(() => statSync(socket)).toThrow(); // removed on close

    // A socket file nobody answers on (its process was killed) is replaced.
    const crashed = spawnSync(process.execPath, [
      "-e",
      `require("node:net").createServer().listen(${JSON.stringify(socket)}, () => process.kill(process.pid, "SIGKILL"))`,
    ]);
    expect(crashed.signal).toBe("SIGKILL");
    expect(statSync(socket).isSocket()).toBe(true);
    const again = await serve(d, { socket });
    expect((await post(again.socket, "/v1/data/tether/sandbox/allow", {})).status).toBe(200);

    // Not a socket at all: left alone.
    const file = join(dir, "file.sock");
    writeFileSync(file, "x");
    await expect(new OpaServer(d, memoryLogger()).listen({ socket: file })).rejects.toThrow(
      /not a socket/,
    );
  });
});
