import { beforeAll, describe, expect, it } from "vitest";
import { type Enrolled, enrollToken, register } from "./agent-fixtures.ts";
import { api, newOrg, type TestOrg } from "./fixtures.ts";
import { insertNodes } from "./mesh-fixtures.ts";
import { createWasmPolicy } from "./wasm-fixtures.ts";

/**
 * The shared security suite: every authenticated route in /openapi.json is
 * called without a credential, with a malformed one, with too small a scope,
 * with another org's resource ids, and with malformed bodies. A new route
 * joins automatically; a route with an `{id}` needs an entry in OWNED.
 */
interface Operation {
  method: string;
  path: string;
  scope: "admin" | "read";
  hasBody: boolean;
}

/** Creates a resource of org `owner` and returns its id, per id-route prefix. */
const OWNED: Record<string, (owner: TestOrg) => Promise<string>> = {
  "/api/keys/{id}": async (owner) => owner.readKeyId,
  "/api/enrollment-tokens/{id}": async (owner) =>
    (await api("POST", "/api/enrollment-tokens", { key: owner.adminKey, body: { name: "owned" } }))
      .body.id,
  "/api/nodes/{id}": async (owner) => (await insertNodes(owner.orgId, [{}]))[0]!.id,
  "/api/mesh/policies/{id}": async (owner) =>
    (
      await api("POST", "/api/mesh/policies", {
        key: owner.adminKey,
        body: { name: `owned-${crypto.randomUUID()}`, rules: [] },
      })
    ).body.id,
  "/api/apps/{id}": async (owner) => (await ownedApp(owner)).id,
  "/api/apps/{id}/keys": async (owner) => (await ownedApp(owner)).id,
  // `{keyId}` stays unfilled: the foreign app id alone must already be refused.
  "/api/apps/{id}/keys/{keyId}": async (owner) => (await ownedApp(owner)).id,
  "/api/opa/policies/{id}": async (owner) => ownedRegoPolicy(owner),
  "/api/opa/policies/{id}/versions": async (owner) => ownedRegoPolicy(owner),
  "/api/opa/wasm-policies/{id}": async (owner) => (await createWasmPolicy(owner)).id,
  "/api/opa/wasm-policies/{id}/versions": async (owner) => (await createWasmPolicy(owner)).id,
  "/api/opa/wasm-policies/{id}/module": async (owner) => (await createWasmPolicy(owner)).id,
  "/api/hub/pings/{id}": async (owner) =>
    (await api("POST", "/api/hub/ping", { key: owner.adminKey })).body.id,
};

async function ownedRegoPolicy(owner: TestOrg): Promise<string> {
  const body = { name: `owned-${crypto.randomUUID()}`, source: "package owned\n" };
  return (await api("POST", "/api/opa/policies", { key: owner.adminKey, body })).body.id;
}

async function ownedApp(owner: TestOrg): Promise<{ id: string }> {
  const slug = `owned-${crypto.randomUUID().slice(0, 8)}`;
  return (await api("POST", "/api/apps", { key: owner.adminKey, body: { slug, name: slug } })).body;
}

/**
 * A valid body per node route, so a refusal can only come from the
 * credential. A new node route with a body needs an entry here.
 */
const NODE_BODIES: Record<string, () => unknown> = {
  "/v1/nodes/{id}/status": () => ({ applied_revision: 0, peer_count: 0, mode: "enforce" }),
  "/v1/nodes/{id}/heartbeat": () => ({}),
  "/v1/nodes/{id}/pong": () => ({ ping_id: crypto.randomUUID() }),
  "/v1/nodes/{id}/deregister": () => ({}),
  "/v1/nodes/{id}/decisions": () => ({
    decisions: [
      {
        decision_id: crypto.randomUUID(),
        path: "p/allow",
        result: true,
        timestamp: new Date().toISOString(),
      },
    ],
  }),
};

const operations: Operation[] = [];
/** Routes that take a node credential (`/v1/nodes/{id}/…`). */
const nodeOperations: Operation[] = [];
let orgA: TestOrg;
let orgB: TestOrg;

beforeAll(async () => {
  const doc = (await api("GET", "/openapi.json")).body as {
    paths: Record<
      string,
      Record<string, { security?: Record<string, string[]>[]; requestBody?: unknown }>
    >;
  };
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (op.security?.some((s) => s.NodeCredential)) {
        nodeOperations.push({
          method: method.toUpperCase(),
          path,
          scope: "admin",
          hasBody: op.requestBody !== undefined,
        });
      }
      const scopes = op.security?.find((s) => s.AdminKey)?.AdminKey;
      if (!scopes) continue;
      operations.push({
        method: method.toUpperCase(),
        path,
        scope: scopes[0] === "read" ? "read" : "admin",
        hasBody: op.requestBody !== undefined,
      });
    }
  }
  [orgA, orgB] = await Promise.all([newOrg("org A"), newOrg("org B")]);
});

const concrete = (path: string, id = crypto.randomUUID()) => path.replace(/\{id\}/g, id);

describe("shared security suite", () => {
  it("covers the admin routes", () => {
    expect(operations.length).toBeGreaterThanOrEqual(3);
    for (const op of operations.filter((o) => o.path.includes("{id}"))) {
      expect(OWNED[op.path], `${op.path} needs an OWNED entry`).toBeDefined();
    }
  });

  it("answers 401 without a credential and with a malformed or unknown one", async () => {
    for (const op of operations) {
      for (const headers of [
        {},
        { authorization: "Basic abc" },
        { authorization: "Bearer tk_node_notanadminkey" },
        { authorization: "Bearer tk_admin_unknownunknownunknownunknownunknownabcd" },
      ]) {
        const res = await api(op.method, concrete(op.path), {
          headers,
          ...(op.hasBody ? { body: {} } : {}),
        });
        expect(res.status, `${op.method} ${op.path} ${JSON.stringify(headers)}`).toBe(401);
        expect(res.body.error.code).toBe("unauthorized");
        expect(res.body.error.request_id).toBeTruthy();
      }
    }
  });

  it("answers 403 when the key lacks the route's scope", async () => {
    for (const op of operations.filter((o) => o.scope === "admin")) {
      const res = await api(op.method, concrete(op.path), {
        key: orgA.readKey,
        ...(op.hasBody ? { body: {} } : {}),
      });
      expect(res.status, `${op.method} ${op.path}`).toBe(403);
      expect(res.body.error.code).toBe("forbidden");
    }
  });

  it("never reaches another org's resources (404, and the resource is untouched)", async () => {
    for (const op of operations.filter((o) => o.path.includes("{id}"))) {
      const foreignId = await OWNED[op.path]!(orgB);
      const res = await api(op.method, concrete(op.path, foreignId), {
        key: orgA.adminKey,
        ...(op.hasBody ? { body: {} } : {}),
      });
      expect([400, 404], `${op.method} ${op.path}`).toContain(res.status);
    }
    // Org B's keys are all still active.
    const listed = await api("GET", "/api/keys", { key: orgB.adminKey });
    expect(listed.body.keys).toHaveLength(2);
  });

  it("lists only the caller's org's rows", async () => {
    const a = await api("GET", "/api/keys", { key: orgA.adminKey });
    const ids = a.body.keys.map((k: { id: string }) => k.id);
    expect(ids).toContain(orgA.adminKeyId);
    expect(ids).not.toContain(orgB.adminKeyId);
    expect(ids).not.toContain(orgB.readKeyId);
  });

  it("answers malformed JSON, wrong content types and oversized bodies with a 4xx envelope", async () => {
    for (const op of operations.filter((o) => o.hasBody)) {
      const path = concrete(op.path);
      const malformed = await api(op.method, path, { key: orgA.adminKey, body: '{"name":' });
      expect(malformed.status, `${op.method} ${op.path}`).toBe(400);
      expect(malformed.body.error.code).toBe("invalid_json");

      const text = await api(op.method, path, {
        key: orgA.adminKey,
        body: "name=x",
        headers: { "content-type": "text/plain" },
      });
      expect(text.status).toBe(415);
      expect(text.body.error.code).toBe("unsupported_media_type");

      const huge = await api(op.method, path, {
        key: orgA.adminKey,
        body: JSON.stringify({ name: "x".repeat(2 * 1024 * 1024) }),
      });
      expect(huge.status).toBe(413);
      expect(huge.body.error.code).toBe("payload_too_large");

      const notObject = await api(op.method, path, { key: orgA.adminKey, body: "[1,2]" });
      expect(notObject.status).toBe(400);
      expect(notObject.body.error.code).toBe("validation_failed");
    }
  });

  it("answers unknown routes and bad ids with 4xx envelopes, never 500", async () => {
    const unknown = await api("GET", "/api/nope", { key: orgA.adminKey });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("not_found");
    const wrongMethod = await api("PATCH", "/healthz");
    expect(wrongMethod.status).toBe(404);
    for (const op of operations.filter((o) => o.path.includes("{id}"))) {
      const res = await api(op.method, op.path.replace("{id}", "not-a-uuid"), {
        key: orgA.adminKey,
        ...(op.hasBody ? { body: {} } : {}),
      });
      expect(res.status).toBe(400);
      expect(res.body.error.details[0].path).toBe("param.id");
    }
  });
});

describe("shared security suite: node credentials", () => {
  let a1: Enrolled;
  let a2: Enrolled;
  let b1: Enrolled;
  beforeAll(async () => {
    const tokenA = await enrollToken(orgA.orgId, { reusable: true });
    [a1, a2] = [await register(tokenA, "sec-a1"), await register(tokenA, "sec-a2")];
    b1 = await register(await enrollToken(orgB.orgId), "sec-b1");
  });

  const call = (op: Operation, credential: string | undefined, nodeId: string) =>
    api(op.method, op.path.replace("{id}", nodeId), {
      ...(credential ? { key: credential } : {}),
      ...(op.hasBody ? { body: NODE_BODIES[op.path]!() } : {}),
    });

  it("covers the node routes, decision logs included", () => {
    const paths = nodeOperations.map((o) => o.path);
    expect(paths).toContain("/v1/nodes/{id}/decisions");
    expect(paths).toContain("/v1/nodes/{id}/state");
    for (const op of nodeOperations.filter((o) => o.hasBody)) {
      expect(NODE_BODIES[op.path], `${op.path} needs a NODE_BODIES entry`).toBeDefined();
    }
  });

  it("answers 401 without a credential, with an admin key and with an unknown node credential", async () => {
    for (const op of nodeOperations) {
      for (const credential of [undefined, orgA.adminKey, `tk_node_${"x".repeat(43)}`]) {
        const res = await call(op, credential, a1.id);
        expect(res.status, `${op.method} ${op.path} ${credential?.slice(0, 8)}`).toBe(401);
        expect(res.body.error.code).toBe("unauthorized");
      }
    }
  });

  it("answers 403 for another node's credential, of the same org or of another org", async () => {
    for (const op of nodeOperations) {
      for (const other of [a2, b1]) {
        const res = await call(op, other.credential, a1.id);
        expect(res.status, `${op.method} ${op.path} as ${other.id}`).toBe(403);
        expect(res.body.error.code).toBe("forbidden");
      }
    }
    // Nothing happened to a1: it is still enrolled and its credential still works.
    const state = await api("GET", `/v1/nodes/${a1.id}/state`, { key: a1.credential });
    expect(state.status).toBe(200);
    const decisions = await api("GET", `/api/decisions?node_id=${a1.id}`, { key: orgA.readKey });
    expect(decisions.body.decisions).toEqual([]);
  });
});
