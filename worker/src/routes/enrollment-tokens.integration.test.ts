import { eq } from "drizzle-orm";
import { enrollmentTokens } from "@tether/schema/tables";
import { describe, expect, it } from "vitest";
import { register } from "../../test/agent-fixtures.ts";
import { api, newOrg, testDatabase } from "../../test/fixtures.ts";
import { auditOf, orgCounters } from "../../test/mesh-fixtures.ts";
import { hashToken } from "../services/tokens.ts";

async function setToken(id: string, values: Partial<typeof enrollmentTokens.$inferInsert>) {
  const { db, close } = testDatabase();
  try {
    await db.update(enrollmentTokens).set(values).where(eq(enrollmentTokens.id, id));
  } finally {
    await close();
  }
}

describe("/api/enrollment-tokens", () => {
  it("creates a token shown once, stored as hash and hint, 24 h by default, with an audit row", async () => {
    const org = await newOrg();
    const before = Date.now();
    const created = await api("POST", "/api/enrollment-tokens", {
      key: org.adminKey,
      body: { name: "web fleet", groups: ["web", "eu-west", "web"] },
    });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^tk_enroll_[A-Za-z0-9]{40}$/);
    expect(created.body).toMatchObject({
      name: "web fleet",
      reusable: false,
      max_uses: 1,
      uses: 0,
      groups: ["web", "eu-west"],
      state: "active",
      revoked_at: null,
      token_hint: `${created.body.token.slice(0, 14)}…`,
    });
    const lifetime = Date.parse(created.body.expires_at) - before;
    expect(lifetime).toBeGreaterThan(86_390_000);
    expect(lifetime).toBeLessThan(86_410_000);

    const { db, close } = testDatabase();
    const [row] = await db
      .select()
      .from(enrollmentTokens)
      .where(eq(enrollmentTokens.id, created.body.id));
    await close();
    expect(row!.tokenHash).toBe(await hashToken(created.body.token));

    const listed = await api("GET", "/api/enrollment-tokens", { key: org.adminKey });
    expect(listed.status).toBe(200);
    expect(listed.body.tokens).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.token);

    const audit = await auditOf(org.orgId);
    expect(audit.at(-1)).toMatchObject({
      action: "enrollment_token.create",
      targetId: created.body.id,
      before: null,
    });
    expect(JSON.stringify(audit.at(-1)!.after)).not.toContain(created.body.token);
    // Tokens change nothing agents enforce: no revision bump.
    expect((await orgCounters(org.orgId)).revision).toBe(0);
  });

  it("takes reusable tokens with max_uses and an explicit expiry", async () => {
    const org = await newOrg();
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const created = await api("POST", "/api/enrollment-tokens", {
      key: org.adminKey,
      body: { name: "ci", reusable: true, max_uses: 5, expires_at: expiresAt },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ reusable: true, max_uses: 5, expires_at: expiresAt });
    const unlimited = await api("POST", "/api/enrollment-tokens", {
      key: org.adminKey,
      body: { name: "lab", reusable: true, expires_in_seconds: 60 },
    });
    expect(unlimited.body.max_uses).toBeNull();
  });

  it("reports used, expired and revoked states, and filters by state", async () => {
    const org = await newOrg();
    const make = async (body: object) =>
      (await api("POST", "/api/enrollment-tokens", { key: org.adminKey, body })).body;
    const once = await make({ name: "once" });
    const capped = await make({ name: "capped", reusable: true, max_uses: 2 });
    const old = await make({ name: "old" });
    const open = await make({ name: "open", reusable: true });
    await setToken(once.id, { uses: 1 });
    await setToken(capped.id, { uses: 2 });
    await setToken(old.id, { expiresAt: new Date(Date.now() - 1000) });
    await setToken(open.id, { uses: 100 });

    const listed = await api("GET", "/api/enrollment-tokens", { key: org.adminKey });
    const states = Object.fromEntries(
      listed.body.tokens.map((t: { name: string; state: string }) => [t.name, t.state]),
    );
    expect(states).toEqual({ once: "used", capped: "used", old: "expired", open: "active" });

    const revoked = await api("DELETE", `/api/enrollment-tokens/${open.id}`, {
      key: org.adminKey,
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body.state).toBe("revoked");
    expect(revoked.body.revoked_at).not.toBeNull();
    const again = await api("DELETE", `/api/enrollment-tokens/${open.id}`, { key: org.adminKey });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("conflict");

    const onlyUsed = await api("GET", "/api/enrollment-tokens?state=used", { key: org.adminKey });
    expect(onlyUsed.body.tokens.map((t: { name: string }) => t.name)).toEqual(["once", "capped"]);
    const bad = await api("GET", "/api/enrollment-tokens?state=nope", { key: org.adminKey });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe("query.state");

    const audit = await auditOf(org.orgId);
    expect(audit.at(-1)).toMatchObject({ action: "enrollment_token.revoke", targetId: open.id });
    expect(audit.at(-1)!.before).toMatchObject({ state: "active", revoked_at: null });
    expect(audit.at(-1)!.after).toMatchObject({ state: "revoked" });
  });

  it("rejects bad input naming each field, and stores nothing", async () => {
    const org = await newOrg();
    const cases: [object, string[]][] = [
      [
        { name: "", groups: ["ok", "-bad", "x".repeat(64)], extra: true },
        ["body.extra", "body.groups[1]", "body.groups[2]", "body.name"],
      ],
      [{ name: "a", max_uses: 3 }, ["body.max_uses"]],
      [
        { name: "a", expires_in_seconds: 60, expires_at: "2099-01-01T00:00:00Z" },
        ["body.expires_at"],
      ],
      [{ name: "a", expires_in_seconds: 366 * 86_400 }, ["body.expires_in_seconds"]],
      [{ name: "a", expires_at: "2000-01-01T00:00:00Z" }, ["body.expires_at"]],
      [
        { name: "a", expires_at: new Date(Date.now() + 400 * 86_400_000).toISOString() },
        ["body.expires_at"],
      ],
      [{ name: "a", reusable: "yes" }, ["body.reusable"]],
    ];
    for (const [body, paths] of cases) {
      const res = await api("POST", "/api/enrollment-tokens", { key: org.adminKey, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
      const got = res.body.error.details.map((d: { path: string }) => d.path).sort();
      expect(got, JSON.stringify(body)).toEqual(paths);
    }
    const listed = await api("GET", "/api/enrollment-tokens", { key: org.adminKey });
    expect(listed.body.tokens).toEqual([]);
  });

  it("a one-time token enrolls one node, with the token's groups, and then shows used", async () => {
    const org = await newOrg();
    const created = await api("POST", "/api/enrollment-tokens", {
      key: org.adminKey,
      body: { name: "one", groups: ["edge"] },
    });
    const node = await register(created.body.token, "edge-1");
    await expect(register(created.body.token, "edge-2")).rejects.toThrow(/401/);
    const listed = await api("GET", "/api/enrollment-tokens", { key: org.adminKey });
    expect(listed.body.tokens[0]).toMatchObject({ uses: 1, state: "used" });
    const nodes = await api("GET", "/api/nodes", { key: org.readKey });
    expect(nodes.body.nodes).toHaveLength(1);
    expect(nodes.body.nodes[0]).toMatchObject({
      id: node.id,
      hostname: "edge-1",
      groups: ["edge"],
      mesh_ip: node.meshIp,
    });
  });

  it("is admin-only and per org", async () => {
    const [a, b] = await Promise.all([newOrg(), newOrg()]);
    const created = await api("POST", "/api/enrollment-tokens", {
      key: a.adminKey,
      body: { name: "a" },
    });
    expect((await api("GET", "/api/enrollment-tokens", { key: a.readKey })).status).toBe(403);
    const fromB = await api("GET", "/api/enrollment-tokens", { key: b.adminKey });
    expect(fromB.body.tokens).toEqual([]);
    const revokeFromB = await api("DELETE", `/api/enrollment-tokens/${created.body.id}`, {
      key: b.adminKey,
    });
    expect(revokeFromB.status).toBe(404);
  });
});
