import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { api, testDatabase } from "../../test/fixtures.ts";
import {
  batch,
  file,
  gzip,
  ingest,
  ingestApp,
  network,
  storedRows,
  syscall,
} from "../../test/ingest-fixtures.ts";

const nothing = { syscall_events: 0, network_events: 0, file_events: 0, batches: 0 };

describe("POST /api/telemetry/ingest", () => {
  it("stores the ADR 005 batch and answers the counts", async () => {
    const a = await ingestApp();
    const res = await ingest(a.key, batch(a.slug, 2, { batch_id: "b-1" }));
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      batch_id: "b-1",
      accepted: { syscall_events: 2, network_events: 2, file_events: 2 },
      duplicate: false,
    });
    expect(await storedRows(a.org.orgId, "b-1")).toEqual({
      syscall_events: 2,
      network_events: 2,
      file_events: 2,
      batches: 1,
    });
  });

  it("takes the key as X-API-Key, event kinds may be left out, and picks a batch id", async () => {
    const a = await ingestApp();
    const res = await SELFingest(a.key, { app_id: a.slug, file_events: [file()] });
    expect(res.status).toBe(201);
    expect(res.body.batch_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.accepted).toEqual({ syscall_events: 0, network_events: 0, file_events: 1 });
  });

  it("stores values as sent: nulls, 64-bit counters, IPv6, offsets", async () => {
    const a = await ingestApp();
    const res = await ingest(a.key, {
      app_id: a.slug,
      batch_id: "values",
      network_events: [
        {
          ...network(),
          dst_ip: "2001:db8::1",
          dst_port: null,
          dns_query: null,
          bytes_sent: Number.MAX_SAFE_INTEGER,
          protocol: "icmp",
          timestamp: "2026-02-21T10:00:00.123456+02:00",
        },
      ],
    });
    expect(res.status).toBe(201);
    const { db, close } = testDatabase();
    const rows = await db.execute<{ dst_ip: string; bytes_sent: string; ts: string }>(
      sql`select dst_ip, bytes_sent::text, to_char(timestamp at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') as ts from network_events where org_id = ${a.org.orgId}`,
    );
    await close();
    expect(rows.rows).toEqual([
      { dst_ip: "2001:db8::1", bytes_sent: "9007199254740991", ts: "2026-02-21 08:00:00.123456" },
    ]);
  });
});

async function SELFingest(key: string, body: unknown) {
  return ingest("", body, { headers: { authorization: "", "x-api-key": key } });
}

describe("validation: the whole batch or nothing", () => {
  const cases: [string, (slug: string) => unknown, string[]][] = [
    [
      "wrong types",
      (slug) => ({
        app_id: slug,
        syscall_events: [syscall(), { ...syscall(), pid: "1234", success: "yes" }],
      }),
      ["body.syscall_events[1].pid", "body.syscall_events[1].success"],
    ],
    [
      "unknown enum values",
      (slug) => ({
        app_id: slug,
        network_events: [network(), network(), { ...network(), direction: "sideways" }],
        file_events: [{ ...file(), operation: "truncate" }],
      }),
      ["body.file_events[0].operation", "body.network_events[2].direction"],
    ],
    [
      "bad timestamps",
      (slug) => ({
        app_id: slug,
        file_events: [
          { ...file(), timestamp: "yesterday" },
          { ...file(), timestamp: "2026-02-30T08:00:00Z" },
          { ...file(), timestamp: "0001-01-01T00:00:00Z" },
          file(),
        ],
      }),
      [
        "body.file_events[0].timestamp",
        "body.file_events[1].timestamp",
        "body.file_events[2].timestamp",
      ],
    ],
    [
      "ports out of range",
      (slug) => ({ app_id: slug, network_events: [{ ...network(), dst_port: 65536 }] }),
      ["body.network_events[0].dst_port"],
    ],
    [
      "oversized strings and NUL",
      (slug) => ({
        app_id: slug,
        syscall_events: [{ ...syscall(), args: "x".repeat(4097), comm: "py\u0000thon" }],
      }),
      ["body.syscall_events[0].args", "body.syscall_events[0].comm"],
    ],
    [
      "unknown and missing fields",
      (slug) => ({
        app_id: slug,
        syscall_events: [{ ...syscall(), uid: 0, syscall_name: undefined }],
        extra: true,
      }),
      ["body.extra", "body.syscall_events[0].syscall_name", "body.syscall_events[0].uid"],
    ],
    ["not a batch", () => [1, 2], ["body"]],
    [
      "a bad batch id",
      (slug) => ({ app_id: slug, batch_id: "../etc", file_events: [file()] }),
      ["body.batch_id"],
    ],
  ];
  it.each(cases)("%s: 400 naming each field, nothing stored", async (_name, body, paths) => {
    const a = await ingestApp();
    const res = await ingest(a.key, body(a.slug));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    const got = res.body.error.details.map((d: { path: string }) => d.path).sort();
    expect(got).toEqual(paths);
    for (const d of res.body.error.details) expect(d.message).toBeTruthy();
    expect(await storedRows(a.org.orgId)).toEqual(nothing);
  });

  it("lists the first 100 problems and counts the rest", async () => {
    const a = await ingestApp();
    const events = Array.from({ length: 300 }, () => ({ ...file(), pid: -1 }));
    const res = await ingest(a.key, { app_id: a.slug, file_events: events });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toHaveLength(101);
    expect(res.body.error.details[99].path).toBe("body.file_events[99].pid");
    expect(res.body.error.details[100]).toEqual({ path: "body", message: "and 200 more problems" });
    expect(res.body.error.message).toContain("300 problems");
  });

  it("a batch id header that differs from the body's is refused", async () => {
    const a = await ingestApp();
    const res = await ingest(a.key, batch(a.slug, 1, { batch_id: "x" }), {
      headers: { "idempotency-key": "y" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe("body.batch_id");
  });
});

describe("idempotency", () => {
  it("a retried batch id answers the first result and stores nothing twice", async () => {
    const a = await ingestApp();
    const first = await ingest(a.key, batch(a.slug, 3, { batch_id: "retry-1" }));
    const again = await ingest(a.key, batch(a.slug, 3, { batch_id: "retry-1" }));
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...first.body, duplicate: true });
    expect(await storedRows(a.org.orgId)).toEqual({
      syscall_events: 3,
      network_events: 3,
      file_events: 3,
      batches: 1,
    });
  });

  it("takes the batch id from Idempotency-Key", async () => {
    const a = await ingestApp();
    const headers = { "idempotency-key": "hdr-1" };
    const first = await ingest(a.key, batch(a.slug), { headers });
    const again = await ingest(a.key, batch(a.slug), { headers });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(first.body.batch_id).toBe("hdr-1");
    expect((await storedRows(a.org.orgId)).batches).toBe(1);
  });

  it("concurrent duplicates store once: one 201, the others the first result", async () => {
    const a = await ingestApp();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => ingest(a.key, batch(a.slug, 50, { batch_id: "race" }))),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    for (const r of results) expect(r.body.accepted.file_events).toBe(50);
    expect(await storedRows(a.org.orgId)).toEqual({
      syscall_events: 50,
      network_events: 50,
      file_events: 50,
      batches: 1,
    });
  });

  it("a batch id of another app's batch is a 409", async () => {
    const a = await ingestApp();
    const b = await ingestApp({ org: a.org });
    expect((await ingest(a.key, batch(a.slug, 1, { batch_id: "shared" }))).status).toBe(201);
    const res = await ingest(b.key, batch(b.slug, 1, { batch_id: "shared" }));
    expect(res.status).toBe(409);
    expect((await storedRows(a.org.orgId)).batches).toBe(1);
  });
});

describe("a database error mid-way", () => {
  beforeAll(async () => {
    // A real Postgres error, raised by the database for one marker value that the schema accepts.
    const { db, close } = testDatabase();
    await db.execute(sql`
      create or replace function test_ingest_fault() returns trigger language plpgsql as $$
      begin
        if new.comm = 'inject-fault' then raise exception 'injected fault'; end if;
        return new;
      end $$`);
    await db.execute(sql`drop trigger if exists test_ingest_fault on syscall_events`);
    await db.execute(sql`create trigger test_ingest_fault before insert on syscall_events
      for each row execute function test_ingest_fault()`);
    await close();
  });

  it("in the last chunk leaves no partial rows and no batch record", async () => {
    const a = await ingestApp();
    const events = Array.from({ length: 9000 }, (_, i) => syscall(i));
    events[events.length - 1]!.comm = "inject-fault";
    const body = {
      app_id: a.slug,
      batch_id: "doomed",
      file_events: [file()],
      network_events: [network()],
      syscall_events: events,
    };
    const res = await ingest(a.key, body, { gzip: true });
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe("internal_error");
    expect(await storedRows(a.org.orgId)).toEqual(nothing);
    // The same batch id is free again: the sender's retry (fixed) is stored.
    events[events.length - 1]!.comm = "python";
    const retry = await ingest(a.key, body, { gzip: true });
    expect(retry.status).toBe(201);
    expect(await storedRows(a.org.orgId)).toEqual({
      syscall_events: 9000,
      network_events: 1,
      file_events: 1,
      batches: 1,
    });
  });
});

describe("keys", () => {
  it("401 for no, unknown, revoked or admin keys; 403 for another app's key", async () => {
    const a = await ingestApp();
    const b = await ingestApp({ org: a.org });
    const body = batch(a.slug);
    expect((await ingest("", body, { headers: { authorization: "" } })).status).toBe(401);
    expect((await ingest("tk_ingest_unknownunknownunknownunknown0123", body)).status).toBe(401);
    expect((await ingest(a.org.adminKey, body)).status).toBe(401);
    const wrong = await ingest(b.key, body);
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe("forbidden");
    const unknownApp = await ingest(a.key, batch("no-such-app"));
    expect(unknownApp.status).toBe(403);
    const revoked = await api("DELETE", `/api/apps/${a.appId}/keys/${a.keyId}`, {
      key: a.org.adminKey,
    });
    expect(revoked.status).toBe(200);
    const after = await ingest(a.key, body);
    expect(after.status).toBe(401);
    expect(await storedRows(a.org.orgId)).toEqual(nothing);
  });

  it("a key bound to two apps writes for both", async () => {
    const a = await ingestApp();
    const second = await api("POST", "/api/apps", {
      key: a.org.adminKey,
      body: { slug: "second", name: "second" },
    });
    const key = await api("POST", `/api/apps/${a.appId}/keys`, {
      key: a.org.adminKey,
      body: { name: "both", also_app_ids: [second.body.id] },
    });
    expect(key.body.app_ids.sort()).toEqual([a.appId, second.body.id].sort());
    expect((await ingest(key.body.key, batch(a.slug))).status).toBe(201);
    expect((await ingest(key.body.key, batch("second"))).status).toBe(201);
  });

  it("429 with Retry-After past the key's requests per minute", async () => {
    const a = await ingestApp({ rateLimitPerMinute: 2 });
    expect((await ingest(a.key, batch(a.slug))).status).toBe(201);
    expect((await ingest(a.key, "{broken")).status).toBe(400); // counted too
    const limited = await ingest(a.key, batch(a.slug));
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe("rate_limited");
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await storedRows(a.org.orgId)).batches).toBe(1);
  });
});

describe("bodies", () => {
  it("accepts gzip JSON", async () => {
    const a = await ingestApp();
    const res = await ingest(a.key, batch(a.slug, 500), { gzip: true });
    expect(res.status).toBe(201);
    expect(res.body.accepted.syscall_events).toBe(500);
  });

  it("413 for a zip bomb, more events than allowed, or a body past the limit", async () => {
    const a = await ingestApp();
    const bomb = `{"app_id":"${a.slug}","file_events":[${" ".repeat(40 * 1024 * 1024)}]}`;
    const compressed = await gzip(bomb);
    expect(compressed.byteLength).toBeLessThan(200_000);
    const bombed = await ingest(a.key, bomb, { gzip: true });
    expect(bombed.status).toBe(413);
    expect(bombed.body.error.message).toContain("decompresses");

    const many = { app_id: a.slug, file_events: Array.from({ length: 10_001 }, () => file()) };
    const tooMany = await ingest(a.key, many, { gzip: true });
    expect(tooMany.status).toBe(413);
    expect(tooMany.body.error.details).toEqual({ max_events: 10_000, events: 10_001 });

    const huge = await ingest(a.key, batch(a.slug, 3000));
    expect(huge.status).toBe(413);
    expect(await storedRows(a.org.orgId)).toEqual(nothing);
  });

  it("400 for broken gzip or JSON, 415 for other encodings", async () => {
    const a = await ingestApp();
    const notGzip = await ingest(a.key, JSON.stringify(batch(a.slug)), {
      headers: { "content-encoding": "gzip" },
    });
    expect(notGzip.status).toBe(400);
    expect((await ingest(a.key, '{"app_id":', { gzip: true })).body.error.code).toBe(
      "invalid_json",
    );
    const br = await ingest(a.key, batch(a.slug), { headers: { "content-encoding": "br" } });
    expect(br.status).toBe(415);
  });
});
