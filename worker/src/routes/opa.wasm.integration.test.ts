import { decisionLogs, wasmModules } from "@tether/schema/tables";
import { count, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { api, newOrg, type TestOrg, testDatabase } from "../../test/fixtures.ts";
import { orgCounters } from "../../test/mesh-fixtures.ts";
import { expectCreateActivateDelete } from "../../test/policy-fixtures.ts";
import {
  ABI_ENTRYPOINTS,
  ABI_FIXTURE,
  ABI_FIXTURE_BASE64,
  createWasmPolicy,
  fixtureSha256,
  NODE_ANSWERS,
  NOT_OPA,
} from "../../test/wasm-fixtures.ts";
import { toBase64 } from "../services/base64.ts";

/**
 * Compiled Wasm policies in workerd, through the Dynamic Worker loader, with
 * the OPA Wasm ABI fixture (hand-written WAT, not OPA-compiled).
 */

async function storedModules(orgId: string): Promise<number> {
  const { db, close } = testDatabase();
  try {
    const [row] = await db
      .select({ n: count() })
      .from(wasmModules)
      .where(eq(wasmModules.orgId, orgId));
    return row!.n;
  } finally {
    await close();
  }
}

async function decisionCount(orgId: string): Promise<number> {
  const { db, close } = testDatabase();
  try {
    const [row] = await db
      .select({ n: count() })
      .from(decisionLogs)
      .where(eq(decisionLogs.orgId, orgId));
    return row!.n;
  } finally {
    await close();
  }
}

async function decisionRow(decisionId: string) {
  const { db, close } = testDatabase();
  try {
    const [row] = await db
      .select()
      .from(decisionLogs)
      .where(eq(decisionLogs.decisionId, decisionId));
    return row;
  } finally {
    await close();
  }
}

const upload = (org: TestOrg, body: Record<string, unknown>) =>
  api("POST", "/api/opa/wasm-policies", {
    key: org.adminKey,
    body: { name: "authz", module: ABI_FIXTURE_BASE64, entrypoints: ABI_ENTRYPOINTS, ...body },
  });

describe("/api/opa/wasm-policies upload", () => {
  it("stores a module that loads with opa-wasm: hash, size, ABI, history, revision, audit and rego_policy_updated", async () => {
    const org = await newOrg();
    const base = await orgCounters(org.orgId);
    const created = await upload(org, {});
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body).toMatchObject({
      kind: "wasm",
      name: "authz",
      entrypoints: ABI_ENTRYPOINTS,
      sha256: await fixtureSha256(),
      size_bytes: ABI_FIXTURE.length,
      abi_version: "1.2",
      version: 1,
      status: "draft",
      mode: "audit",
      target_apps: [],
      target_nodes: [],
      revision: base.revision + 1,
    });
    expect((await api("GET", `/api/opa/wasm-policies/${id}`, { key: org.readKey })).body).toEqual(
      created.body,
    );
    expect(
      (await api("GET", "/api/opa/wasm-policies", { key: org.readKey })).body.policies,
    ).toEqual([created.body]);
    const download = await fetchModule(org, id);
    expect(download.etag).toBe(`"${await fixtureSha256()}"`);
    expect(download.bytes).toEqual(ABI_FIXTURE);

    // A new version without re-sending the module: it keeps the bytes.
    const activated = await api("PUT", `/api/opa/wasm-policies/${id}`, {
      key: org.adminKey,
      body: {
        name: "authz",
        entrypoints: ["tether/authz/allow"],
        status: "active",
        mode: "enforce",
      },
    });
    expect(activated.status).toBe(200);
    expect(activated.body).toMatchObject({
      version: 2,
      status: "active",
      mode: "enforce",
      entrypoints: ["tether/authz/allow"],
      sha256: created.body.sha256,
      revision: base.revision + 2,
    });
    // The same again writes nothing.
    const again = await api("PUT", `/api/opa/wasm-policies/${id}`, {
      key: org.adminKey,
      body: {
        name: "authz",
        module: ABI_FIXTURE_BASE64,
        entrypoints: ["tether/authz/allow"],
        status: "active",
        mode: "enforce",
      },
    });
    expect(again.body).toEqual(activated.body);
    expect((await orgCounters(org.orgId)).revision).toBe(base.revision + 2);

    const versions = await api("GET", `/api/opa/wasm-policies/${id}/versions`, {
      key: org.readKey,
    });
    expect(versions.body.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(versions.body.versions[0]).toMatchObject({
      sha256: created.body.sha256,
      status: "active",
      actor_id: org.adminKeyId,
      abi_version: "1.2",
    });
    expect(await storedModules(org.orgId)).toBe(1);

    const deleted = await api("DELETE", `/api/opa/wasm-policies/${id}`, { key: org.adminKey });
    expect(deleted.body).toMatchObject({ id, deleted: true, revision: base.revision + 3 });
    expect((await api("GET", `/api/opa/wasm-policies/${id}`, { key: org.readKey })).status).toBe(
      404,
    );
    expect(await storedModules(org.orgId)).toBe(0);

    const audit = await expectCreateActivateDelete(org.orgId, base, id, {
      auditType: "wasm_policy",
      activeWire: {
        kind: "wasm",
        id,
        name: "authz",
        entrypoints: ["tether/authz/allow"],
        sha256: created.body.sha256,
        size_bytes: ABI_FIXTURE.length,
        version: 2,
        revision: base.revision + 2,
        mode: "enforce",
        target_nodes: [],
      },
    });
    expect(audit[1]!.before).toMatchObject({ version: 1, sha256: created.body.sha256 });
    expect(JSON.stringify(audit)).not.toContain(ABI_FIXTURE_BASE64.slice(0, 40));
  });

  it.each([
    ["text, not WebAssembly", new TextEncoder().encode("not a wasm module at all"), /\\0asm/],
    ["a truncated module", ABI_FIXTURE.slice(0, ABI_FIXTURE.length / 2), /cannot load it/],
    ["WebAssembly without OPA's ABI", NOT_OPA, /opa-wasm cannot load it/],
  ])(
    "refuses %s with 400 wasm_invalid naming the reason, and stores nothing",
    async (_, bytes, reason) => {
      const org = await newOrg();
      const base = await orgCounters(org.orgId);
      const res = await upload(org, { module: toBase64(bytes) });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("wasm_invalid");
      expect(res.body.error.message).toMatch(reason);
      expect(res.body.error.details[0].path).toBe("body.module");
      expect((await orgCounters(org.orgId)).revision).toBe(base.revision);
      expect(await storedModules(org.orgId)).toBe(0);
    },
  );

  it("refuses bytes that are not base64, and a missing module, naming body.module", async () => {
    const org = await newOrg();
    const bad = await upload(org, { module: "%%% not base64 %%%" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([
      { path: "body.module", message: "must be the module's bytes in base64" },
    ]);
    const missing = await upload(org, { module: undefined });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details[0].path).toBe("body.module");
  });

  it("refuses an entrypoint the module does not export, naming it and listing the module's", async () => {
    const org = await newOrg();
    const res = await upload(org, {
      entrypoints: ["tether/authz/allow", "tether/authz/deny"],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect(res.body.error.details).toEqual([
      {
        path: "body.entrypoints[1]",
        message:
          'the module has no entrypoint "tether/authz/deny" (it has: tether/authz/allow, tether/authz/user, tether/authz/conflict)',
      },
    ]);
    const none = await upload(org, { entrypoints: [] });
    expect(none.body.error.details[0].path).toBe("body.entrypoints");
    expect(await storedModules(org.orgId)).toBe(0);
  });

  it("refuses a module over MAX_WASM_BYTES with 413, before loading it", async () => {
    const org = await newOrg();
    const big = new Uint8Array(600 * 1024);
    big.set(ABI_FIXTURE);
    const res = await upload(org, { module: toBase64(big) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe("payload_too_large");
    expect(res.body.error.details).toEqual([
      { path: "body.module", message: `at most ${512 * 1024} bytes` },
    ]);
    expect(await storedModules(org.orgId)).toBe(0);
  });

  it("serves one entrypoint from one active policy: a second claiming it is refused with 409", async () => {
    const org = await newOrg();
    const first = await createWasmPolicy(org, { status: "active" });
    const res = await upload(org, { name: "other", status: "active" });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain(first.id);
    // As a draft it may exist.
    expect((await upload(org, { name: "other" })).status).toBe(201);
  });

  it("never reads or changes another org's Wasm policy", async () => {
    const [a, b] = await Promise.all([newOrg(), newOrg()]);
    const owned = await createWasmPolicy(b, { status: "active" });
    for (const [method, path, body] of [
      ["GET", `/api/opa/wasm-policies/${owned.id}`, undefined],
      ["GET", `/api/opa/wasm-policies/${owned.id}/versions`, undefined],
      ["GET", `/api/opa/wasm-policies/${owned.id}/module`, undefined],
      ["PUT", `/api/opa/wasm-policies/${owned.id}`, { name: "x", entrypoints: ABI_ENTRYPOINTS }],
      ["DELETE", `/api/opa/wasm-policies/${owned.id}`, undefined],
      ["POST", "/api/opa/evaluate", { policy_id: owned.id, input: { user: "admin" } }],
    ] as const) {
      const res = await api(method, path, { key: a.adminKey, ...(body ? { body } : {}) });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const data = await api("POST", "/v1/data/tether/authz/allow", {
      key: a.readKey,
      body: { input: { user: "admin" } },
    });
    expect(data.body.result).toBeUndefined();
    expect((await api("GET", "/api/opa/wasm-policies", { key: a.readKey })).body.policies).toEqual(
      [],
    );
    const still = await api("GET", `/api/opa/wasm-policies/${owned.id}`, { key: b.readKey });
    expect(still.body).toMatchObject({ version: 1, status: "active", name: owned.name });
  });
});

async function fetchModule(org: TestOrg, id: string) {
  const { SELF } = await import("cloudflare:test");
  const res = await SELF.fetch(`http://tether.test/api/opa/wasm-policies/${id}/module`, {
    headers: { authorization: `Bearer ${org.readKey}` },
  });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("application/wasm");
  return { etag: res.headers.get("etag"), bytes: new Uint8Array(await res.arrayBuffer()) };
}

describe("Wasm policy evaluation in workerd (Dynamic Worker loader)", () => {
  it("answers like opa-wasm in Node for the same inputs, by policy id, and logs each decision (errors: 400, not logged)", async () => {
    const org = await newOrg();
    const policy = await createWasmPolicy(org);
    let errors = 0;
    for (const { input, results } of NODE_ANSWERS) {
      for (const entrypoint of ABI_ENTRYPOINTS) {
        const answer = results[entrypoint]!;
        const res = await api("POST", "/api/opa/evaluate", {
          key: org.readKey,
          body: { policy_id: policy.id, path: entrypoint, input, labels: { test: "wasm" } },
        });
        const what = JSON.stringify({ input, entrypoint });
        if ("error" in answer) {
          errors++;
          expect(res.status, what).toBe(400);
          expect(res.body.error.code).toBe("bad_request");
          expect(res.body.error.details).toMatchObject({
            code: "wasm_eval_error",
            message: answer.error,
            policy_id: policy.id,
            entrypoint,
          });
          continue;
        }
        const expected = answer.resultSet;
        expect(res.status, what).toBe(200);
        // Node's result set [{result: v}] is the decision v; [] is undefined (no `result`).
        if (expected.length === 0) expect("result" in res.body).toBe(false);
        else expect(res.body.result).toEqual((expected[0] as { result: unknown }).result);
        expect(res.body).toMatchObject({ path: entrypoint, policy_id: policy.id });

        const row = await decisionRow(res.body.decision_id);
        expect(row).toMatchObject({
          orgId: org.orgId,
          path: entrypoint,
          input,
          result: expected.length === 0 ? null : (expected[0] as { result: unknown }).result,
          policyId: policy.id,
          policyRevision: policy.revision,
          source: "server",
          labels: { test: "wasm" },
        });
      }
    }
    expect(errors).toBeGreaterThan(0);
    expect(await decisionCount(org.orgId)).toBe(
      NODE_ANSWERS.length * ABI_ENTRYPOINTS.length - errors,
    );
  });

  it("defaults to the first entrypoint, refuses one it does not serve, and a draft answers by id only", async () => {
    const org = await newOrg();
    const policy = await createWasmPolicy(org, { entrypoints: ["tether/authz/allow"] });
    const byId = await api("POST", "/api/opa/evaluate", {
      key: org.readKey,
      body: { policy_id: policy.id, input: { user: "admin" } },
    });
    expect(byId.body).toMatchObject({ result: true, path: "tether/authz/allow" });
    const other = await api("POST", "/api/opa/evaluate", {
      key: org.readKey,
      body: { policy_id: policy.id, path: "tether/authz/user", input: { user: "admin" } },
    });
    expect(other.status).toBe(400);
    expect(other.body.error.details[0]).toMatchObject({ path: "body.path" });
    // A draft is not reachable by path.
    const byPath = await api("POST", "/api/opa/evaluate", {
      key: org.readKey,
      body: { path: "tether/authz/allow", input: { user: "admin" } },
    });
    expect(byPath.status).toBe(200);
    expect(byPath.body.result).toBeUndefined();
  });

  it("serves OPA's /v1/data/{path} from an active policy's entrypoints, result omitted when undefined", async () => {
    const org = await newOrg();
    const policy = await createWasmPolicy(org, { status: "active" });
    const allow = await api("POST", "/v1/data/tether/authz/allow", {
      key: org.readKey,
      body: { input: { user: "admin" } },
    });
    expect(allow.status).toBe(200);
    expect(Object.keys(allow.body).sort()).toEqual(["decision_id", "result"]);
    expect(allow.body.result).toBe(true);
    const user = await api(
      "GET",
      `/v1/data/tether/authz/user?input=${encodeURIComponent('{"user":"eve"}')}`,
      { key: org.readKey },
    );
    expect(user.body.result).toBe("eve");
    const undefinedUser = await api("POST", "/v1/data/data.tether.authz.user", {
      key: org.readKey,
      body: { input: { user: 1 } },
    });
    expect(undefinedUser.status).toBe(200);
    expect(Object.keys(undefinedUser.body)).toEqual(["decision_id"]);
    const row = await decisionRow(undefinedUser.body.decision_id);
    expect(row).toMatchObject({
      path: "tether/authz/user",
      result: null,
      policyId: policy.id,
      labels: { api: "v1/data" },
    });
    const conflict = await api("POST", "/v1/data/tether/authz/conflict", {
      key: org.readKey,
      body: { input: { user: "eve" } },
    });
    expect(conflict.status).toBe(400);
    expect(conflict.body.code).toBe("invalid_parameter");
    expect(conflict.body.message).toContain("eval_conflict_error");
  });
});

describe("the Dynamic Worker runner", () => {
  it("starts an isolate for a module it has not seen, reading the bytes from the database once", async () => {
    const { env } = await import("cloudflare:test");
    const { loaderRunner } = await import("../services/governance/wasm/runner.ts");
    const { storedModule } = await import("../services/governance/wasm/policies.ts");
    const { sha256Hex } = await import("../services/governance/wasm/module.ts");
    const org = await newOrg();
    // Same code, new hash: a custom section (id 0, ignored by Wasm) named "bench" with a fresh label.
    const enc = new TextEncoder();
    const body = [5, ...enc.encode("bench"), ...enc.encode(crypto.randomUUID())];
    const bytes = new Uint8Array([...ABI_FIXTURE, 0, body.length, ...body]);
    const sha256 = await sha256Hex(bytes);
    const { db, close } = testDatabase();
    try {
      await db
        .insert(wasmModules)
        .values({ orgId: org.orgId, sha256, module: bytes, sizeBytes: bytes.length });
      const stored = storedModule(db, org.orgId, sha256);
      let reads = 0;
      const counted = {
        sha256,
        bytes: () => {
          reads++;
          return stored.bytes();
        },
      };
      const runner = loaderRunner(
        (env as unknown as { LOADER: WorkerLoader }).LOADER,
        "2026-04-20",
      );
      expect(await runner.evaluate(counted, "tether/authz/allow", { user: "admin" })).toEqual([
        { result: true },
      ]);
      expect(await runner.evaluate(counted, "tether/authz/user", { user: "ann" })).toEqual([
        { result: "ann" },
      ]);
      expect(reads).toBe(1);
      await expect(runner.evaluate(counted, "tether/authz/none", {})).rejects.toMatchObject({
        stage: "eval",
      });
    } finally {
      await close();
    }
  });
});

describe("GET /v1/nodes/{id}/policies/{policyId}/wasm", () => {
  it("gives a targeted node the active module's bytes with its SHA-256 as ETag, 304 when unchanged", async () => {
    const { enrollToken, register } = await import("../../test/agent-fixtures.ts");
    const { SELF } = await import("cloudflare:test");
    const org = await newOrg();
    const token = await enrollToken(org.orgId, { reusable: true });
    const [n1, n2] = [await register(token, "wasm-n1"), await register(token, "wasm-n2")];
    const everyNode = await createWasmPolicy(org, {
      status: "active",
      entrypoints: ["tether/authz/allow"],
    });
    const n2Policy = await createWasmPolicy(org, {
      entrypoints: ["tether/authz/user"],
      target_nodes: [n2.id],
    });
    const draft = await createWasmPolicy(org, {
      name: "draft-one",
      entrypoints: ["tether/authz/user"],
    });
    await api("PUT", `/api/opa/wasm-policies/${n2Policy.id}`, {
      key: org.adminKey,
      body: {
        name: n2Policy.name,
        entrypoints: ["tether/authz/user"],
        target_nodes: [n2.id],
        status: "active",
      },
    });
    const get = (node: { id: string; credential: string }, policyId: string, etag?: string) =>
      SELF.fetch(`http://tether.test/v1/nodes/${node.id}/policies/${policyId}/wasm`, {
        headers: {
          authorization: `Bearer ${node.credential}`,
          ...(etag ? { "if-none-match": etag } : {}),
        },
      });
    const res = await get(n1, everyNode.id);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/wasm");
    const etag = res.headers.get("etag")!;
    expect(etag).toBe(`"${await fixtureSha256()}"`);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(ABI_FIXTURE);
    const unchanged = await get(n1, everyNode.id, etag);
    expect(unchanged.status).toBe(304);
    await unchanged.arrayBuffer();

    expect((await get(n2, n2Policy.id)).status).toBe(200);
    for (const [node, policyId] of [
      [n1, n2Policy.id],
      [n1, draft.id],
      [n1, crypto.randomUUID()],
    ] as const) {
      const refused = await get(node, policyId);
      expect(refused.status).toBe(404);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("not_found");
    }
    // The node state names the policies it must fetch, by id and SHA-256.
    const state = await api("GET", `/v1/nodes/${n2.id}/state`, { key: n2.credential });
    const wasm = state.body.rego_policies.filter((p: { kind: string }) => p.kind === "wasm");
    expect(wasm.map((p: { id: string }) => p.id).sort()).toEqual(
      [everyNode.id, n2Policy.id].sort(),
    );
    expect(wasm[0].sha256).toBe(await fixtureSha256());
  });
});
