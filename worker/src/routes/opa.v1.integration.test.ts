import { SELF } from "cloudflare:test";
import { compile, toJSON, type Value } from "@tether/rego";
import { describe, expect, it } from "vitest";
import { api, newOrg } from "../../test/fixtures.ts";

const SOURCE = `package example.authz

default allow := false

allow if input.user == "admin"

roles contains "viewer" if input.user
`;

/** A PUT of raw Rego text, as OPA clients send it. */
async function putPolicy(key: string, id: string, text: string) {
  const res = await SELF.fetch(`http://tether.test/v1/policies/${id}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${key}`, "content-type": "text/plain" },
    body: text,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("OPA-compatible /v1/policies and /v1/data", () => {
  it("PUT, GET, list and DELETE a policy with OPA's shapes", async () => {
    const org = await newOrg();
    const put = await putPolicy(org.adminKey, "example/authz", SOURCE);
    expect(put).toEqual({ status: 200, body: {} });
    const got = await api("GET", "/v1/policies/example/authz", { key: org.readKey });
    expect(got.status).toBe(200);
    expect(got.body).toEqual({ result: { id: "example/authz", raw: SOURCE } });
    const listed = await api("GET", "/v1/policies", { key: org.readKey });
    expect(listed.body).toEqual({ result: [{ id: "example/authz", raw: SOURCE }] });
    // Saved active, visible to the management API too.
    const mgmt = await api("GET", "/api/opa/policies", { key: org.readKey });
    expect(mgmt.body.policies[0]).toMatchObject({ name: "example/authz", status: "active" });
    // A second PUT is a new version of the same policy.
    const again = await putPolicy(org.adminKey, "example/authz", `${SOURCE}\nextra := 1\n`);
    expect(again.status).toBe(200);
    const versions = await api("GET", `/api/opa/policies/${mgmt.body.policies[0].id}/versions`, {
      key: org.readKey,
    });
    expect(versions.body.versions).toHaveLength(2);
    // The same text again writes nothing: no version, no revision, no event.
    const before = await api("GET", "/api/opa/policies", { key: org.readKey });
    expect((await putPolicy(org.adminKey, "example/authz", `${SOURCE}\nextra := 1\n`)).status).toBe(
      200,
    );
    const after = await api("GET", "/api/opa/policies", { key: org.readKey });
    expect(after.body.policies[0]).toEqual(before.body.policies[0]);
    expect(after.body.policies[0].version).toBe(2);

    const del = await api("DELETE", "/v1/policies/example/authz", { key: org.adminKey });
    expect(del).toMatchObject({ status: 200, body: {} });
    const gone = await api("GET", "/v1/policies/example/authz", { key: org.readKey });
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({
      code: "resource_not_found",
      message: 'storage_not_found_error: policy id "example/authz"',
    });
  });

  it("answers compile errors with OPA's error object", async () => {
    const org = await newOrg();
    const res = await putPolicy(org.adminKey, "bad", "package bad\n\nallow if {\n  y == x\n}\n");
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      code: "invalid_parameter",
      message: "error(s) occurred while compiling module(s)",
      errors: [
        expect.objectContaining({
          code: "rego_unsafe_var_error",
          message: expect.any(String),
          location: { file: "bad.rego", row: 4, col: 3 },
        }),
      ],
    });
  });

  it("POST and GET /v1/data: result like the engine's, decision_id, result omitted when undefined, logged", async () => {
    const org = await newOrg();
    expect((await putPolicy(org.adminKey, "authz", SOURCE)).status).toBe(200);
    const engine = compile({ "p.rego": SOURCE });
    for (const user of ["admin", "bob"]) {
      const res = await api("POST", "/v1/data/example/authz", {
        key: org.readKey,
        body: { input: { user } },
      });
      expect(res.status).toBe(200);
      const want = engine.evalPath("data.example.authz", { input: { user } });
      expect(res.body.result).toEqual(toJSON(want.value as Value));
      expect(res.body.decision_id).toMatch(/^[0-9a-f-]{36}$/);
    }
    const undef = await api("POST", "/v1/data/example/authz/missing", {
      key: org.readKey,
      body: { input: {} },
    });
    expect(undef.status).toBe(200);
    expect(Object.keys(undef.body)).toEqual(["decision_id"]);
    const noBody = await api("POST", "/v1/data/example/authz/allow", { key: org.readKey });
    expect(noBody.body.result).toBe(false);
    const get = await api(
      "GET",
      `/v1/data/example/authz/allow?input=${encodeURIComponent('{"user":"admin"}')}`,
      { key: org.readKey },
    );
    expect(get.body.result).toBe(true);
    const malformed = await api("POST", "/v1/data/example/authz", {
      key: org.readKey,
      body: "{",
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe("invalid_parameter");
    expect(malformed.body.message).toMatch(/^body contains malformed input document/);
    const logged = await api("GET", "/api/decisions?path=example/authz/allow", {
      key: org.readKey,
    });
    expect(logged.body.decisions.map((d: { result: unknown }) => d.result)).toEqual([true, false]);
    expect(logged.body.decisions[0].labels).toEqual({ api: "v1/data" });
  });

  it("authenticates with admin keys and answers OPA's error object", async () => {
    const [org, other] = await Promise.all([newOrg(), newOrg()]);
    expect((await putPolicy(other.adminKey, "theirs", SOURCE)).status).toBe(200);
    const none = await api("POST", "/v1/data/example/authz", { body: { input: {} } });
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ code: "unauthorized", message: expect.any(String) });
    const readPut = await putPolicy(org.readKey, "mine", SOURCE);
    expect(readPut.status).toBe(403);
    expect(readPut.body.code).toBe("unauthorized");
    expect((await api("GET", "/v1/policies/theirs", { key: org.readKey })).status).toBe(404);
    expect((await api("DELETE", "/v1/policies/theirs", { key: org.adminKey })).status).toBe(404);
    const data = await api("POST", "/v1/data/example/authz/allow", {
      key: org.readKey,
      body: { input: { user: "admin" } },
    });
    expect(Object.keys(data.body)).toEqual(["decision_id"]);
  });

  it("is described in /openapi.json under its own scheme (the JSON-envelope security suite skips it)", async () => {
    const doc = (await api("GET", "/openapi.json")).body;
    expect(doc.paths["/v1/policies/{id}"].put.security).toEqual([{ OpaAdminKey: ["admin"] }]);
    expect(doc.paths["/v1/data/{path}"].post.security).toEqual([{ OpaAdminKey: ["read"] }]);
    expect(Object.keys(doc.paths["/v1/policies/{id}"].put.requestBody.content)).toEqual([
      "text/plain",
    ]);
  });
});
