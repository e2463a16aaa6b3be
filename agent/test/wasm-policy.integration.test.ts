import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ControlPlane, freePort, startControlPlane } from "../../dev/control-plane.ts";
import { compileAbiFixture } from "../../dev/fixtures/opa-abi/compile.ts";
import { fetchWasmPolicy, type WasmPolicy } from "../src/governance/wasm-policy.ts";

/**
 * A compiled Wasm policy end to end against the real control plane
 * (wrangler dev + embedded Postgres): uploaded by an admin, evaluated by the
 * Worker through its Dynamic Worker loader, named by hash in the node's
 * state, fetched by the node with its credential and evaluated in Node by
 * opa-wasm, with the same answers. The module is the OPA Wasm ABI fixture
 * (dev/fixtures/opa-abi/policy.wat: hand-written, not OPA-compiled).
 */
describe("Wasm policy: control plane (workerd) and agent (Node) agree", () => {
  let cp: ControlPlane | undefined;
  let admin = "";
  let node = { id: "", credential: "" };
  let policy = { id: "", sha256: "" };

  const call = async (method: string, path: string, body?: unknown, key = admin) => {
    const res = await fetch(`${cp!.url}${path}`, {
      method,
      headers: {
        "content-type": "application/json",
        ...(key ? { authorization: `Bearer ${key}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    cp = await startControlPlane({ port: await freePort() });
    admin = cp.firstAdminKey!;
    const created = await call("POST", "/api/opa/wasm-policies", {
      name: "authz",
      module: Buffer.from(await compileAbiFixture()).toString("base64"),
      entrypoints: ["tether/authz/allow", "tether/authz/user", "tether/authz/conflict"],
      status: "active",
      mode: "enforce",
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    policy = { id: String(created.body.id), sha256: String(created.body.sha256) };
    const { body: token } = await call("POST", "/api/enrollment-tokens", { name: "wasm-it" });
    const { body: registered } = await call(
      "POST",
      "/v1/register",
      { token: token.token, public_key: randomBytes(32).toString("base64"), hostname: "wasm-it" },
      "",
    );
    expect(registered.credential, JSON.stringify(registered)).toBeDefined();
    node = { id: String(registered.node_id), credential: String(registered.credential) };
  }, 240_000);

  afterAll(async () => {
    await cp?.stop().catch(() => {});
  }, 60_000);

  it("names the policy by id and hash in the node's state; the node's copy gives the Worker's answers", async () => {
    const state = await call("GET", `/v1/nodes/${node.id}/state`, undefined, node.credential);
    expect(state.status).toBe(200);
    const edge = (state.body.rego_policies as { kind: string; id: string; sha256: string }[]).find(
      (p) => p.kind === "wasm",
    );
    expect(edge).toMatchObject({ id: policy.id, sha256: policy.sha256, mode: "enforce" });

    const local: WasmPolicy = await fetchWasmPolicy({
      url: cp!.url,
      nodeId: node.id,
      policyId: policy.id,
      credential: node.credential,
      sha256: edge!.sha256,
    });
    expect(local.entrypoints).toEqual([
      "tether/authz/allow",
      "tether/authz/user",
      "tether/authz/conflict",
    ]);

    const inputs = [{ user: "admin" }, { user: "mallory" }, { user: 42 }, {}, false, "x"];
    for (const input of inputs) {
      for (const entrypoint of local.entrypoints) {
        const remote = await call("POST", `/v1/data/${entrypoint}`, { input }, admin);
        let mine: ReturnType<WasmPolicy["evaluate"]> | Error;
        try {
          mine = local.evaluate(entrypoint, input);
        } catch (e) {
          mine = e as Error;
        }
        const what = `${entrypoint} ${JSON.stringify(input)}`;
        if (mine instanceof Error) {
          expect(remote.status, what).toBe(400);
          expect(String(remote.body.message), what).toContain(mine.message);
          continue;
        }
        expect(remote.status, what).toBe(200);
        expect("result" in remote.body, what).toBe(mine.defined);
        expect(remote.body.result, what).toEqual(mine.value);
      }
    }
  });

  it("refuses the module to a node the policy does not target, and bytes with another hash", async () => {
    await call("PUT", `/api/opa/wasm-policies/${policy.id}`, {
      name: "authz",
      entrypoints: ["tether/authz/allow"],
      status: "active",
      target_nodes: [],
    });
    await expect(
      fetchWasmPolicy({
        url: cp!.url,
        nodeId: node.id,
        policyId: policy.id,
        credential: node.credential,
        sha256: "0".repeat(64),
      }),
    ).rejects.toMatchObject({ stage: "integrity" });
    const { body: token } = await call("POST", "/api/enrollment-tokens", { name: "other" });
    const { body: other } = await call(
      "POST",
      "/v1/register",
      { token: token.token, public_key: randomBytes(32).toString("base64"), hostname: "other" },
      "",
    );
    await call("PUT", `/api/opa/wasm-policies/${policy.id}`, {
      name: "authz",
      entrypoints: ["tether/authz/allow"],
      status: "active",
      target_nodes: [node.id],
    });
    await expect(
      fetchWasmPolicy({
        url: cp!.url,
        nodeId: String(other.node_id),
        policyId: policy.id,
        credential: String(other.credential),
        sha256: policy.sha256,
      }),
    ).rejects.toMatchObject({ stage: "fetch", message: expect.stringContaining("404") });
  });
});
