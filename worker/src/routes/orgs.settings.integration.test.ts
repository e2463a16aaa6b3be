import { describe, expect, it } from "vitest";
import { api, newOrg } from "../../test/fixtures.ts";

describe("GET/PATCH /api/org", () => {
  it("reads and changes retention, audited with before and after", async () => {
    const org = await newOrg("settings");
    const got = await api("GET", "/api/org", { key: org.readKey });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: org.orgId, name: "settings", retention_days: 30 });

    const patched = await api("PATCH", "/api/org", {
      key: org.adminKey,
      body: { retention_days: 7, name: "renamed" },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ retention_days: 7, name: "renamed" });
    expect((await api("GET", "/api/org", { key: org.readKey })).body.retention_days).toBe(7);

    const audit = await api("GET", "/api/audit?action=org.update", { key: org.readKey });
    expect(audit.body.entries).toHaveLength(1);
    expect(audit.body.entries[0]).toMatchObject({
      actor_id: org.adminKeyId,
      target_type: "org",
      target_id: org.orgId,
      before: { retention_days: 30, name: "settings" },
      after: { retention_days: 7, name: "renamed" },
    });
    expect((await api("GET", "/api/audit/verify", { key: org.readKey })).body.ok).toBe(true);
  });

  it("refuses bad values (400 naming the field), read keys (403), and leaves other orgs alone", async () => {
    const [org, other] = await Promise.all([newOrg(), newOrg()]);
    for (const [body, path] of [
      [{ retention_days: 0 }, "body.retention_days"],
      [{ retention_days: 3651 }, "body.retention_days"],
      [{ retention_days: 1.5 }, "body.retention_days"],
      [{ retention_days: "7" }, "body.retention_days"],
      [{ name: "" }, "body.name"],
      [{ mesh_cidr: "10.0.0.0/8" }, "body.mesh_cidr"],
      [{}, "body"],
    ] as const) {
      const res = await api("PATCH", "/api/org", { key: org.adminKey, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    const denied = await api("PATCH", "/api/org", {
      key: org.readKey,
      body: { retention_days: 1 },
    });
    expect(denied.status).toBe(403);
    await api("PATCH", "/api/org", { key: org.adminKey, body: { retention_days: 90 } });
    expect((await api("GET", "/api/org", { key: other.readKey })).body.retention_days).toBe(30);
    expect((await api("GET", "/api/org", { key: org.readKey })).body.retention_days).toBe(90);
  });
});
