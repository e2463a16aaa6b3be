import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import {
  ABI_FIXTURE_ENTRYPOINTS,
  compileAbiFixture,
} from "../../../dev/fixtures/opa-abi/compile.ts";
import { fetchWasmModule, loadWasmPolicy, WasmPolicyError } from "./wasm-policy.ts";

/** With the OPA Wasm ABI fixture (dev/fixtures/opa-abi/policy.wat: hand-written, not OPA-compiled). */
const fixture = await compileAbiFixture();
const sha256 = createHash("sha256").update(fixture).digest("hex");

describe("loadWasmPolicy", () => {
  it("loads a module whose SHA-256 matches and lists its entrypoints and ABI", async () => {
    const policy = await loadWasmPolicy(fixture, sha256.toUpperCase());
    expect(policy.sha256).toBe(sha256);
    expect(policy.entrypoints).toEqual([...ABI_FIXTURE_ENTRYPOINTS]);
    expect(policy.abiVersion).toBe("1.2");
  });

  it("refuses bytes whose SHA-256 differs, before running them", async () => {
    const tampered = fixture.slice();
    tampered[tampered.length - 1]! ^= 1;
    const err = await loadWasmPolicy(tampered, sha256).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WasmPolicyError);
    expect(err).toMatchObject({ stage: "integrity" });
    expect((err as Error).message).toContain(sha256);
  });

  it("refuses bytes opa-wasm cannot load (stage load, with the reason)", async () => {
    const text = new TextEncoder().encode("not wasm");
    const hash = createHash("sha256").update(text).digest("hex");
    await expect(loadWasmPolicy(text, hash)).rejects.toMatchObject({
      stage: "load",
      message: expect.stringMatching(/^opa-wasm cannot load the module: .*magic/),
    });
  });

  it.each([
    [{ user: "admin" }, true, "admin"],
    [{ user: "alice" }, false, "alice"],
    [{ user: 3 }, false, undefined],
    [{}, false, undefined],
    [false, false, undefined],
    [undefined, false, undefined],
  ])("input %j: allow %j, user %j", async (input, allow, user) => {
    const policy = await loadWasmPolicy(fixture, sha256);
    expect(policy.evaluate("tether/authz/allow", input)).toEqual({
      defined: true,
      value: allow,
      resultSet: [{ result: allow }],
    });
    const u = policy.evaluate("tether/authz/user", input);
    if (user === undefined) expect(u).toEqual({ defined: false, resultSet: [] });
    else expect(u).toEqual({ defined: true, value: user, resultSet: [{ result: user }] });
  });

  it("reports evaluation errors and unknown entrypoints as WasmPolicyError (eval), and keeps answering", async () => {
    const policy = await loadWasmPolicy(fixture, sha256);
    expect(() => policy.evaluate("tether/authz/conflict", { user: "x" })).toThrow(
      expect.objectContaining({
        stage: "eval",
        message: expect.stringContaining("eval_conflict_error"),
      }),
    );
    expect(() => policy.evaluate("tether/authz/deny", {})).toThrow(
      /no entrypoint "tether\/authz\/deny"/,
    );
    expect(policy.evaluate("tether/authz/conflict", {})).toEqual({ defined: false, resultSet: [] });
    expect(policy.evaluate("tether/authz/allow", { user: "admin" }).value).toBe(true);
  });
});

/** A control plane's module route on 127.0.0.1 answering with `answer`, recording requests. */
async function moduleServer(
  answer: (url: string) => { status: number; body: Uint8Array | string },
) {
  const requests: { url: string; authorization: string | undefined }[] = [];
  const server = createServer((req, res) => {
    requests.push({ url: req.url ?? "", authorization: req.headers.authorization });
    const { status, body } = answer(req.url ?? "");
    res.writeHead(status, { "content-type": "application/wasm" }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe("fetchWasmModule", () => {
  const NODE = "00000000-0000-4000-8000-0000000000a1";
  const POLICY = "00000000-0000-4000-8000-00000000aa09";

  it("GETs the node's module route with the credential and returns bytes of the named hash", async () => {
    const cp = await moduleServer(() => ({ status: 200, body: fixture }));
    try {
      const bytes = await fetchWasmModule({
        url: `${cp.url}/`,
        nodeId: NODE,
        policyId: POLICY,
        credential: "tk_node_secret",
        sha256,
      });
      expect(Buffer.from(bytes).equals(Buffer.from(fixture))).toBe(true);
      expect(cp.requests).toEqual([
        {
          url: `/v1/nodes/${NODE}/policies/${POLICY}/wasm`,
          authorization: "Bearer tk_node_secret",
        },
      ]);
    } finally {
      await cp.close();
    }
  });

  it("says why it has no module: a status (fetch), other bytes (integrity), no answer (fetch, with the cause)", async () => {
    let status = 404;
    const cp = await moduleServer(() =>
      status === 200
        ? { status, body: new TextEncoder().encode("other bytes") }
        : { status, body: '{"error":{"code":"not_found"}}' },
    );
    const o = { url: cp.url, nodeId: NODE, policyId: POLICY, credential: "k", sha256 };
    try {
      await expect(fetchWasmModule(o)).rejects.toMatchObject({
        stage: "fetch",
        message: expect.stringMatching(/^GET the module of policy .*: 404 \{"error"/),
      });
      status = 200;
      await expect(fetchWasmModule(o)).rejects.toMatchObject({ stage: "integrity" });
    } finally {
      await cp.close();
    }
    // Nobody listens (a port no connection was ever kept to).
    const gone = await moduleServer(() => ({ status: 500, body: "" }));
    await gone.close();
    await expect(fetchWasmModule({ ...o, url: gone.url })).rejects.toMatchObject({
      stage: "fetch",
      message: expect.stringMatching(/: fetch failed: connect ECONNREFUSED 127\.0\.0\.1:\d+$/),
    });
    const aborted = fetchWasmModule({ ...o, signal: AbortSignal.abort(new Error("stopping")) });
    await expect(aborted).rejects.toBeInstanceOf(WasmPolicyError);
  });
});
