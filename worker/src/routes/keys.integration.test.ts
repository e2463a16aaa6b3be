import { describe, expect, it } from "vitest";
import { api, newOrg } from "../../test/fixtures.ts";

describe("/api/keys", () => {
  it("creates a key shown once, lists it by hint only, and the new key works", async () => {
    const org = await newOrg();
    const created = await api("POST", "/api/keys", {
      key: org.adminKey,
      body: { name: "ci", scopes: ["read"] },
    });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^tk_admin_[A-Za-z0-9]{40}$/);
    expect(created.body.scopes).toEqual(["read"]);
    expect(created.body.key_hint).toBe(`${created.body.key.slice(0, 13)}…`);

    const listed = await api("GET", "/api/keys", { key: created.body.key });
    expect(listed.status).toBe(403); // read scope may not list keys
    const asAdmin = await api("GET", "/api/keys", { key: org.adminKey });
    expect(asAdmin.status).toBe(200);
    const names = asAdmin.body.keys.map((k: { name: string }) => k.name);
    expect(names).toEqual(["first admin key", "read-only", "ci"]);
    expect(JSON.stringify(asAdmin.body)).not.toContain(created.body.key);
  });

  it("revokes a key, which then gets 401, and refuses to revoke the last admin key", async () => {
    const org = await newOrg();
    const second = await api("POST", "/api/keys", {
      key: org.adminKey,
      body: { name: "second", scopes: ["admin"] },
    });
    const revoked = await api("DELETE", `/api/keys/${second.body.id}`, { key: org.adminKey });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).not.toBeNull();
    expect((await api("GET", "/api/keys", { key: second.body.key })).status).toBe(401);

    const again = await api("DELETE", `/api/keys/${second.body.id}`, { key: org.adminKey });
    expect(again.status).toBe(409);
    const last = await api("DELETE", `/api/keys/${org.adminKeyId}`, { key: org.adminKey });
    expect(last.status).toBe(409);
    expect(last.body.error.message).toContain("last admin-scoped key");
    const withRevoked = await api("GET", "/api/keys?include_revoked=true", { key: org.adminKey });
    expect(withRevoked.body.keys).toHaveLength(3);
  });

  it("rejects bad input naming each field, and stores nothing", async () => {
    const org = await newOrg();
    const bad = await api("POST", "/api/keys", {
      key: org.adminKey,
      body: { name: "", scopes: ["root"], expires_at: "tomorrow", extra: 1 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("validation_failed");
    const paths = bad.body.error.details.map((d: { path: string }) => d.path).sort();
    expect(paths).toEqual(["body.expires_at", "body.extra", "body.name", "body.scopes[0]"]);
    const listed = await api("GET", "/api/keys", { key: org.adminKey });
    expect(listed.body.keys).toHaveLength(2);
  });

  it("expired keys get 401 token_expired", async () => {
    const org = await newOrg();
    const soon = new Date(Date.now() + 1500).toISOString();
    const created = await api("POST", "/api/keys", {
      key: org.adminKey,
      body: { name: "short", scopes: ["admin"], expires_at: soon },
    });
    expect(created.status).toBe(201);
    await new Promise((r) => setTimeout(r, 1600));
    const res = await api("GET", "/api/keys", { key: created.body.key });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("token_expired");
  });
});
