import { describe, expect, it } from "vitest";
import { api, newOrg, testDatabase } from "../../test/fixtures.ts";
import { batch, ingest, ingestApp, storedRows } from "../../test/ingest-fixtures.ts";
import { auditLog } from "@tether/schema/tables";
import { asc, eq } from "drizzle-orm";

async function auditActions(orgId: string): Promise<string[]> {
  const { db, close } = testDatabase();
  try {
    const rows = await db
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(eq(auditLog.orgId, orgId))
      .orderBy(asc(auditLog.seq));
    return rows.map((r) => r.action);
  } finally {
    await close();
  }
}

describe("/api/apps", () => {
  it("creates, lists, gets, updates and deletes apps, auditing each write", async () => {
    const org = await newOrg();
    const created = await api("POST", "/api/apps", {
      key: org.adminKey,
      body: { slug: "openclaw-1", name: "OpenClaw" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ slug: "openclaw-1", name: "OpenClaw", description: "" });

    const dup = await api("POST", "/api/apps", {
      key: org.adminKey,
      body: { slug: "openclaw-1", name: "again" },
    });
    expect(dup.status).toBe(409);
    expect(dup.body.error.message).toContain("openclaw-1");

    const listed = await api("GET", "/api/apps", { key: org.readKey });
    expect(listed.body.apps.map((a: { slug: string }) => a.slug)).toEqual(["openclaw-1"]);
    const got = await api("GET", `/api/apps/${created.body.id}`, { key: org.readKey });
    expect(got.body).toEqual(created.body);

    const same = await api("PATCH", `/api/apps/${created.body.id}`, {
      key: org.adminKey,
      body: { name: "OpenClaw" },
    });
    expect(same.status).toBe(200);
    const patched = await api("PATCH", `/api/apps/${created.body.id}`, {
      key: org.adminKey,
      body: { description: "sandboxed agent" },
    });
    expect(patched.body.description).toBe("sandboxed agent");

    const deleted = await api("DELETE", `/api/apps/${created.body.id}`, { key: org.adminKey });
    expect(deleted.status).toBe(200);
    expect((await api("GET", `/api/apps/${created.body.id}`, { key: org.readKey })).status).toBe(
      404,
    );
    const actions = await auditActions(org.orgId);
    expect(actions.filter((a) => a.startsWith("app."))).toEqual([
      "app.create",
      "app.update",
      "app.delete",
    ]);
  });

  it("rejects bad input naming each field", async () => {
    const org = await newOrg();
    const bad = await api("POST", "/api/apps", {
      key: org.adminKey,
      body: { slug: "-bad slug", name: "", extra: 1 },
    });
    expect(bad.status).toBe(400);
    const paths = bad.body.error.details.map((d: { path: string }) => d.path).sort();
    expect(paths).toEqual(["body.extra", "body.name", "body.slug"]);
    expect((await api("GET", "/api/apps", { key: org.readKey })).body.apps).toEqual([]);
  });

  it("deleting an app deletes its telemetry and unbinds its keys", async () => {
    const a = await ingestApp();
    expect((await ingest(a.key, batch(a.slug, 2))).status).toBe(201);
    const res = await api("DELETE", `/api/apps/${a.appId}`, { key: a.org.adminKey });
    expect(res.status).toBe(200);
    const rows = await storedRows(a.org.orgId);
    expect([rows.syscall_events, rows.network_events, rows.file_events]).toEqual([0, 0, 0]);
    expect((await ingest(a.key, batch(a.slug))).status).toBe(401); // its only app: revoked
    expect(await auditActions(a.org.orgId)).toContain("ingest_key.revoke");
  });
});

describe("/api/apps/{id}/keys", () => {
  it("creates a key shown once, lists it by hint, revokes it", async () => {
    const a = await ingestApp();
    const created = await api("POST", `/api/apps/${a.appId}/keys`, {
      key: a.org.adminKey,
      body: { name: "vps-1", rate_limit_per_minute: 120 },
    });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^tk_ingest_[A-Za-z0-9]{40}$/);
    expect(created.body).toMatchObject({
      name: "vps-1",
      app_ids: [a.appId],
      rate_limit_per_minute: 120,
      revoked_at: null,
    });
    const listed = await api("GET", `/api/apps/${a.appId}/keys`, { key: a.org.readKey });
    expect(listed.status).toBe(200);
    expect(listed.body.keys.map((k: { name: string }) => k.name)).toEqual(["shipper", "vps-1"]);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);

    const revoked = await api("DELETE", `/api/apps/${a.appId}/keys/${created.body.id}`, {
      key: a.org.adminKey,
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).not.toBeNull();
    const again = await api("DELETE", `/api/apps/${a.appId}/keys/${created.body.id}`, {
      key: a.org.adminKey,
    });
    expect(again.status).toBe(409);
    const active = await api("GET", `/api/apps/${a.appId}/keys`, { key: a.org.readKey });
    expect(active.body.keys).toHaveLength(1);
    const all = await api("GET", `/api/apps/${a.appId}/keys?include_revoked=true`, {
      key: a.org.readKey,
    });
    expect(all.body.keys).toHaveLength(2);
    const actions = await auditActions(a.org.orgId);
    expect(actions.filter((x) => x.startsWith("ingest_key."))).toEqual([
      "ingest_key.create",
      "ingest_key.create",
      "ingest_key.revoke",
    ]);
  });

  it("refuses apps of another org and bad limits", async () => {
    const a = await ingestApp();
    const other = await ingestApp();
    const res = await api("POST", `/api/apps/${a.appId}/keys`, {
      key: a.org.adminKey,
      body: { name: "x", also_app_ids: [other.appId], rate_limit_per_minute: 0 },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual([
      "body.rate_limit_per_minute",
    ]);
    const foreign = await api("POST", `/api/apps/${a.appId}/keys`, {
      key: a.org.adminKey,
      body: { name: "x", also_app_ids: [other.appId] },
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.details[0].path).toBe("body.also_app_ids[0]");
    // A key of another app of the org is not found under this app.
    const wrongApp = await api("DELETE", `/api/apps/${other.appId}/keys/${a.keyId}`, {
      key: other.org.adminKey,
    });
    expect(wrongApp.status).toBe(404);
  });
});
