import { and, eq } from "drizzle-orm";
import { auditLog } from "@tether/schema/tables";
import { describe, expect, it } from "vitest";
import { api, newOrg, type TestOrg, testDatabase } from "../../test/fixtures.ts";
import { verifyAuditChain } from "../services/audit-verify.ts";

/** An org with a few audited changes: org.create, 2× api_key.create, mesh_policy.create, api_key.revoke, org.update. */
async function busyOrg(): Promise<TestOrg & { policyId: string; keyIds: string[] }> {
  const org = await newOrg("audited");
  const keyIds: string[] = [];
  for (const name of ["ci", "dashboard"]) {
    const res = await api("POST", "/api/keys", {
      key: org.adminKey,
      body: { name, scopes: ["read"] },
    });
    expect(res.status).toBe(201);
    keyIds.push(res.body.id);
  }
  const policy = await api("POST", "/api/mesh/policies", {
    key: org.adminKey,
    body: { name: "p", rules: [{ src: "*", dst: "*", port: 22, protocol: "tcp", action: "deny" }] },
  });
  expect(policy.status).toBe(201);
  expect((await api("DELETE", `/api/keys/${keyIds[0]}`, { key: org.adminKey })).status).toBe(200);
  expect(
    (await api("PATCH", "/api/org", { key: org.adminKey, body: { retention_days: 14 } })).status,
  ).toBe(200);
  return { ...org, policyId: policy.body.id, keyIds };
}

const verify = (org: TestOrg) => api("GET", "/api/audit/verify", { key: org.readKey });

async function rowAt(org: TestOrg, seq: number) {
  const { db, close } = testDatabase();
  try {
    const [row] = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.orgId, org.orgId), eq(auditLog.seq, seq)));
    return row!;
  } finally {
    await close();
  }
}

async function tamper(org: TestOrg, seq: number, change: Partial<typeof auditLog.$inferInsert>) {
  const { db, close } = testDatabase();
  try {
    const [row] = await db
      .update(auditLog)
      .set(change)
      .where(and(eq(auditLog.orgId, org.orgId), eq(auditLog.seq, seq)))
      .returning();
    return row!;
  } finally {
    await close();
  }
}

describe("GET /api/audit", () => {
  it("lists the org's trail newest first, filtered and paged without gaps", async () => {
    const org = await busyOrg();
    const other = await busyOrg();
    const all = await api("GET", "/api/audit", { key: org.readKey });
    expect(all.status).toBe(200);
    const actions = all.body.entries.map((e: { action: string }) => e.action);
    expect(actions).toEqual([
      "org.update",
      "api_key.revoke",
      "mesh_policy.create",
      "api_key.create",
      "api_key.create",
      "org.create",
    ]);
    expect(all.body.entries.map((e: { seq: number }) => e.seq)).toEqual([6, 5, 4, 3, 2, 1]);
    expect(all.body.next_cursor).toBeNull();
    const update = all.body.entries[0];
    expect(update).toMatchObject({
      actor_type: "api_key",
      actor_id: org.adminKeyId,
      target_type: "org",
      target_id: org.orgId,
    });
    expect(update.before.retention_days).toBe(30);
    expect(update.after.retention_days).toBe(14);
    expect(update.request_id).toBeTruthy();

    const seqs: number[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `&cursor=${cursor}` : "";
      const page = await api("GET", `/api/audit?limit=4${q}`, { key: org.readKey });
      seqs.push(...page.body.entries.map((e: { seq: number }) => e.seq));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seqs).toEqual([6, 5, 4, 3, 2, 1]);

    const filtered = async (query: string) =>
      (await api("GET", `/api/audit?${query}`, { key: org.readKey })).body.entries.map(
        (e: { seq: number }) => e.seq,
      );
    expect(await filtered("action=api_key.create")).toEqual([3, 2]);
    expect(await filtered("target_type=mesh_policy")).toEqual([4]);
    expect(await filtered(`target_id=${org.keyIds[0]}`)).toEqual([5, 2]);
    expect(await filtered(`actor_id=${org.adminKeyId}`)).toEqual([6, 5, 4, 3, 2]);
    expect(await filtered("from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z")).toEqual([]);
    expect(await filtered(`from=${encodeURIComponent(update.created_at)}`)).toEqual([6]);
    // Another org's key ids filter to nothing: nothing of org B leaks into A's trail.
    expect(await filtered(`actor_id=${other.adminKeyId}`)).toEqual([]);
  });

  it("answers invalid filters with 400 naming them", async () => {
    const org = await newOrg();
    for (const [query, path] of [
      ["actor_id=abc", "query.actor_id"],
      ["limit=0", "query.limit"],
      ["cursor=xyz", "query.cursor"],
      ["from=today", "query.from"],
      ["action=", "query.action"],
      ["actor=me", "query.actor"],
    ] as const) {
      const res = await api("GET", `/api/audit?${query}`, { key: org.readKey });
      expect(res.status, query).toBe(400);
      expect(
        res.body.error.details.map((d: { path: string }) => d.path),
        query,
      ).toContain(path);
    }
  });
});

describe("GET /api/audit/verify", () => {
  it("verifies an intact chain and names its head", async () => {
    const org = await busyOrg();
    const res = await verify(org);
    expect(res.status).toBe(200);
    const newest = (await api("GET", "/api/audit?limit=1", { key: org.readKey })).body.entries[0];
    expect(res.body).toEqual({ ok: true, rows: 6, head: { seq: 6, hash: newest.hash } });
    // An org with no chain of its own verifies as empty only if it has no rows; a fresh one has org.create.
    expect((await verify(await newOrg())).body).toMatchObject({ ok: true, rows: 1 });
  });

  it("fails at a row whose before, after or action was altered, and recovers when restored", async () => {
    const org = await busyOrg();
    for (const change of [
      { after: { name: "ci", scopes: ["admin"] } },
      { before: { forged: true } },
      { action: "api_key.rotate" },
    ]) {
      const original = await rowAt(org, 3);
      const altered = await tamper(org, 3, change);
      const res = await verify(org);
      expect(res.body, JSON.stringify(change)).toEqual({
        ok: false,
        rows: 2,
        broken_at: { seq: 3, id: altered.id },
        reason: "hash_mismatch",
        message: expect.stringContaining("seq 3"),
      });
      await tamper(org, 3, {
        after: original.after,
        before: original.before,
        action: original.action,
      });
      expect((await verify(org)).body.ok).toBe(true);
    }
  });

  it("fails at the row after a deleted one (seq gap), and at a reordered one", async () => {
    const deleted = await busyOrg();
    const { db, close } = testDatabase();
    try {
      await db.delete(auditLog).where(and(eq(auditLog.orgId, deleted.orgId), eq(auditLog.seq, 2)));
      const res = await verify(deleted);
      expect(res.body).toMatchObject({
        ok: false,
        rows: 1,
        broken_at: { seq: 3 },
        reason: "seq_gap",
      });

      // Swap rows 3 and 4: each keeps its own hash, but no longer follows its predecessor.
      const reordered = await busyOrg();
      await tamper(reordered, 3, { seq: 1000 });
      await tamper(reordered, 4, { seq: 3 });
      await tamper(reordered, 1000, { seq: 4 });
      const swapped = await verify(reordered);
      expect(swapped.body).toMatchObject({
        ok: false,
        rows: 2,
        broken_at: { seq: 3 },
        reason: "prev_hash_mismatch",
      });

      // A row re-hashed by hand to hide an edit still breaks the next row's link.
      const rehashed = await busyOrg();
      await tamper(rehashed, 2, { hash: "f".repeat(64) });
      expect((await verify(rehashed)).body).toMatchObject({
        ok: false,
        broken_at: { seq: 2 },
        reason: "hash_mismatch",
      });
    } finally {
      await close();
    }
  });

  it("walks the chain in pages", async () => {
    const org = await busyOrg();
    const { db, close } = testDatabase();
    try {
      for (const pageSize of [1, 2, 5, 6, 7]) {
        expect(await verifyAuditChain(db, org.orgId, pageSize)).toMatchObject({
          ok: true,
          rows: 6,
        });
      }
      await db.delete(auditLog).where(and(eq(auditLog.orgId, org.orgId), eq(auditLog.seq, 5)));
      expect(await verifyAuditChain(db, org.orgId, 2)).toMatchObject({
        ok: false,
        rows: 4,
        broken_at: { seq: 6 },
        reason: "seq_gap",
      });
    } finally {
      await close();
    }
  });
});
