import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { api, newOrg, type TestOrg, testDatabase } from "../../test/fixtures.ts";
import { insertNodes } from "../../test/mesh-fixtures.ts";
import { insertApp, insertTelemetry } from "../../test/telemetry-fixtures.ts";

// Recent timestamps: the retention tests prune old rows of their own orgs only, but stay clear anyway.
const T0 = Date.now() - 3_600_000;
const at = (s: number) => new Date(T0 + s * 1000);

let org: TestOrg;
let other: TestOrg;
let app1: { id: string; slug: string };
let app2: { id: string; slug: string };
let foreignApp: { id: string; slug: string };
let nodeId: string;
let seeded: Awaited<ReturnType<typeof insertTelemetry>>;

beforeAll(async () => {
  [org, other] = await Promise.all([newOrg("telemetry A"), newOrg("telemetry B")]);
  [app1, app2, foreignApp] = await Promise.all([
    insertApp(org.orgId, "openclaw-1"),
    insertApp(org.orgId, "openclaw-2"),
    insertApp(other.orgId, "openclaw-1"),
  ]);
  nodeId = (await insertNodes(org.orgId, [{}]))[0]!.id;
  seeded = await insertTelemetry(org.orgId, app1.id, {
    // 30 syscalls; ten share one timestamp so pages must split ties by id.
    syscalls: Array.from({ length: 30 }, (_, i) => ({
      at: at(i < 10 ? 100 : i),
      syscallName: ["openat", "connect", "execve"][i % 3]!,
      pid: 100 + (i % 4),
      comm: i % 5 === 0 ? "curl" : "python",
      success: i % 6 !== 0,
      ...(i % 7 === 0 ? { appId: app2.id } : {}),
      ...(i % 2 === 0 ? { nodeId } : {}),
    })),
    network: [
      {
        at: at(1),
        dstIp: "10.0.0.1",
        dstPort: 443,
        protocol: "tcp",
        action: "allowed",
        dnsQuery: "a.example",
      },
      { at: at(2), dstIp: "10.0.0.2", dstPort: 53, protocol: "udp", action: "denied" },
      {
        at: at(3),
        dstIp: "2001:db8::1",
        dstPort: 443,
        protocol: "tcp",
        action: "blocked",
        direction: "inbound",
      },
      {
        at: at(4),
        dstIp: "10.0.0.1",
        dstPort: 80,
        protocol: "tcp",
        action: "allowed",
        pid: 7,
        comm: "curl",
      },
    ],
    files: [
      { at: at(1), path: "/etc/passwd", operation: "read" },
      { at: at(2), path: "/etc/shadow", operation: "open", success: false },
      { at: at(3), path: "/etc%/x", operation: "write" },
      { at: at(4), path: "/home/a/.ssh/id_ed25519", operation: "read", comm: "cat", pid: 9 },
    ],
  });
  await insertTelemetry(other.orgId, foreignApp.id, {
    syscalls: [{ at: at(5), syscallName: "openat" }],
    network: [{ at: at(5), dstIp: "10.0.0.1" }],
    files: [{ at: at(5), path: "/etc/passwd" }],
  });
});

const get = (path: string, key = org.readKey) => api("GET", path, { key });
const ids = (body: { events: { id: number }[] }) => body.events.map((e) => e.id);

/** Expected order: timestamp desc, then id desc. */
const newestFirst = <R extends { id: number; timestamp: Date }>(rows: R[]) =>
  [...rows].sort((a, b) => b.timestamp.getTime() - a.timestamp.getTime() || b.id - a.id);

describe("GET /api/telemetry/syscalls", () => {
  it("pages through every row once, newest first, ties split by id", async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const res = await get(`/api/telemetry/syscalls?limit=7${q}`);
      expect(res.status).toBe(200);
      expect(res.body.events.length).toBeLessThanOrEqual(7);
      seen.push(...ids(res.body));
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(5);
    expect(seen).toEqual(newestFirst(seeded.syscalls).map((r) => r.id));
  });

  it("filters by app (id or slug), node, pid, comm, syscall, success and time", async () => {
    const cases: [string, (r: (typeof seeded.syscalls)[number]) => boolean][] = [
      [`app=${app2.slug}`, (r) => r.appId === app2.id],
      [`app=${app1.id}`, (r) => r.appId === app1.id],
      [`node=${nodeId}`, (r) => r.nodeId === nodeId],
      ["pid=101", (r) => r.pid === 101],
      ["comm=curl", (r) => r.comm === "curl"],
      ["syscall=openat&success=false", (r) => r.syscallName === "openat" && !r.success],
      [
        `from=${encodeURIComponent(at(20).toISOString())}&to=${encodeURIComponent(at(25).toISOString())}`,
        (r) => r.timestamp >= at(20) && r.timestamp < at(25),
      ],
    ];
    for (const [query, keep] of cases) {
      const res = await get(`/api/telemetry/syscalls?limit=1000&${query}`);
      expect(res.status, query).toBe(200);
      const want = newestFirst(seeded.syscalls.filter(keep)).map((r) => r.id);
      expect(want.length, query).toBeGreaterThan(0);
      expect(ids(res.body), query).toEqual(want);
    }
  });

  it("answers each invalid filter with 400 naming it", async () => {
    const cases: [string, string][] = [
      ["limit=0", "query.limit"],
      ["limit=1001", "query.limit"],
      ["limit=ten", "query.limit"],
      ["from=yesterday", "query.from"],
      ["from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "query.to"],
      ["node=abc", "query.node"],
      ["pid=-1", "query.pid"],
      ["success=yes", "query.success"],
      ["cursor=not-a-cursor", "query.cursor"],
      ["bogus=1", "query.bogus"],
    ];
    for (const [query, path] of cases) {
      const res = await get(`/api/telemetry/syscalls?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code, query).toBe("validation_failed");
      expect(
        res.body.error.details.map((d: { path: string }) => d.path),
        query,
      ).toContain(path);
    }
  });

  it("pages through timestamps that differ only in microseconds", async () => {
    const micro = await newOrg("microseconds");
    const app = await insertApp(micro.orgId);
    const { db, close } = testDatabase();
    const base = at(500).toISOString().replace("Z", "");
    try {
      // JS Dates cannot say this; Postgres keeps it, so the cursor must too.
      for (const us of ["000001", "000002", "000002", "999999", "000500"]) {
        await db.execute(sql`insert into syscall_events (org_id, app_id, batch_id, timestamp, syscall_name, pid, comm, success)
          values (${micro.orgId}, ${app.id}, 'us', ${`${base.slice(0, 19)}.${us}Z`}::timestamptz, 'read', 1, 'x', true)`);
      }
    } finally {
      await close();
    }
    const stamps: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `&cursor=${cursor}` : "";
      const res = await get(`/api/telemetry/syscalls?limit=2${q}`, micro.readKey);
      stamps.push(...res.body.events.map((e: { timestamp: string }) => e.timestamp.slice(19)));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(stamps).toEqual([".999999Z", ".000500Z", ".000002Z", ".000002Z", ".000001Z"]);
  });

  it("refuses another listing's cursor and an unknown app", async () => {
    const first = await get("/api/telemetry/files?limit=1");
    const res = await get(`/api/telemetry/syscalls?cursor=${first.body.next_cursor}`);
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe("query.cursor");
    const unknown = await get("/api/telemetry/syscalls?app=nope");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.details[0].path).toBe("query.app");
  });

  it("never shows another org's rows, nor lets it name this org's app", async () => {
    const mine = await get("/api/telemetry/syscalls?limit=1000", other.readKey);
    expect(mine.body.events).toHaveLength(1);
    expect(mine.body.events[0].app_id).toBe(foreignApp.id);
    const foreign = await get(`/api/telemetry/syscalls?app=${app1.id}`, other.readKey);
    expect(foreign.status).toBe(404);
    // The slug both orgs use resolves to each org's own app.
    const bySlug = await get("/api/telemetry/network?app=openclaw-1", other.readKey);
    expect(bySlug.body.events.map((e: { app_id: string }) => e.app_id)).toEqual([foreignApp.id]);
  });
});

describe("GET /api/telemetry/network", () => {
  it("filters by dst, dst_port, dns, protocol, direction, action, pid and comm", async () => {
    const byIp = (ipPort: string[]) =>
      seeded.network
        .filter((r) => ipPort.includes(`${r.dstIp}:${r.dstPort}`))
        .sort((a, b) => b.id - a.id)
        .map((r) => r.id);
    const cases: [string, string[]][] = [
      ["dst=10.0.0.1", ["10.0.0.1:443", "10.0.0.1:80"]],
      ["dst=2001:db8::1", ["2001:db8::1:443"]],
      ["dst_port=443", ["10.0.0.1:443", "2001:db8::1:443"]],
      ["dns=a.example", ["10.0.0.1:443"]],
      ["protocol=udp", ["10.0.0.2:53"]],
      ["direction=inbound", ["2001:db8::1:443"]],
      ["action=denied", ["10.0.0.2:53"]],
      ["pid=7&comm=curl", ["10.0.0.1:80"]],
      ["dst=10.0.0.1&dst_port=80", ["10.0.0.1:80"]],
    ];
    for (const [query, want] of cases) {
      const res = await get(`/api/telemetry/network?${query}`);
      expect(res.status, query).toBe(200);
      expect(ids(res.body), query).toEqual(byIp(want));
    }
    const first = (await get("/api/telemetry/network?action=blocked")).body.events[0];
    expect(first).toMatchObject({
      dst_ip: "2001:db8::1",
      dst_port: 443,
      protocol: "tcp",
      action: "blocked",
    });
    expect(first.timestamp).toBe(at(3).toISOString().replace("Z", "000Z"));
  });

  it("answers invalid network filters with 400 naming them", async () => {
    for (const [query, path] of [
      ["dst=10.0.0", "query.dst"],
      ["dst_port=65536", "query.dst_port"],
      ["action=dropped", "query.action"],
      ["protocol=sctp", "query.protocol"],
      ["direction=up", "query.direction"],
    ] as const) {
      const res = await get(`/api/telemetry/network?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.details[0].path, query).toBe(path);
    }
  });
});

describe("GET /api/telemetry/files", () => {
  it("filters by exact path, literal prefix, operation and success", async () => {
    const paths = async (query: string) =>
      (await get(`/api/telemetry/files?${query}`)).body.events.map((e: { path: string }) => e.path);
    expect(await paths("path=/etc/passwd")).toEqual(["/etc/passwd"]);
    expect(await paths("path=/etc")).toEqual([]);
    expect(await paths("path_prefix=/etc/")).toEqual(["/etc/shadow", "/etc/passwd"]);
    // % and _ are not wildcards.
    expect(await paths(`path_prefix=${encodeURIComponent("/etc%")}`)).toEqual(["/etc%/x"]);
    expect(await paths("operation=read")).toEqual(["/home/a/.ssh/id_ed25519", "/etc/passwd"]);
    expect(await paths("success=false")).toEqual(["/etc/shadow"]);
    expect(await paths("comm=cat&pid=9")).toEqual(["/home/a/.ssh/id_ed25519"]);
    const bad = await get("/api/telemetry/files?operation=unlink");
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe("query.operation");
  });
});
