import { beforeAll, describe, expect, it } from "vitest";
import { api, newOrg, type TestOrg } from "../../test/fixtures.ts";
import {
  type FileSpec,
  insertApp,
  insertTelemetry,
  type NetworkSpec,
  type SyscallSpec,
} from "../../test/telemetry-fixtures.ts";

// Three whole hours, ending an hour ago (recent: clear of retention pruning).
const HOUR = 3_600_000;
const FROM = new Date(Math.floor(Date.now() / HOUR) * HOUR - 4 * HOUR);
const TO = new Date(FROM.getTime() + 3 * HOUR);
const at = (minute: number) => new Date(FROM.getTime() + minute * 60_000);

const SYSCALLS = ["openat", "read", "connect", "execve", "write", "mmap", "close"];
const HOSTS = [
  { dstIp: "93.184.216.34", dstPort: 443, dnsQuery: "example.com" },
  { dstIp: "10.0.0.53", dstPort: 53, dnsQuery: null },
  { dstIp: "203.0.113.9", dstPort: 22, dnsQuery: null },
  { dstIp: "2001:db8::5", dstPort: null, dnsQuery: null },
];
const PROTOCOLS = ["tcp", "udp", "icmp"] as const;
const ACTIONS = ["allowed", "allowed", "denied", "allowed", "blocked"] as const;
const OPERATIONS = ["read", "write", "open", "exec", "delete"] as const;

// A deterministic, lopsided data set: i² spreads the counts so top lists have few ties.
const syscalls: SyscallSpec[] = Array.from({ length: 140 }, (_, i) => ({
  at: at((i * 7) % 180),
  syscallName: SYSCALLS[(i * i) % SYSCALLS.length]!,
  success: (i * 3) % 5 !== 0,
}));
const network: NetworkSpec[] = Array.from({ length: 90 }, (_, i) => ({
  at: at((i * 11) % 180),
  ...HOSTS[(i * i) % HOSTS.length]!,
  protocol: PROTOCOLS[i % 3]!,
  action: ACTIONS[(i * 7) % ACTIONS.length]!,
  bytesSent: i * 10,
  bytesRecv: i % 4 === 0 ? null : i * 100,
}));
const files: FileSpec[] = Array.from({ length: 60 }, (_, i) => ({
  at: at((i * 13) % 180),
  path: `/data/f${(i * i) % 9}`,
  operation: OPERATIONS[(i * 2) % OPERATIONS.length]!,
  success: i % 4 !== 1,
}));

let org: TestOrg;
let appId: string;

beforeAll(async () => {
  let otherOrg: TestOrg;
  [org, otherOrg] = await Promise.all([newOrg("stats"), newOrg("stats other")]);
  const [app, sibling, foreign] = await Promise.all([
    insertApp(org.orgId, "stats-app"),
    insertApp(org.orgId, "sibling"),
    insertApp(otherOrg.orgId, "stats-app"),
  ]);
  appId = app.id;
  // Noise the stats must leave out: another app, another org, outside the range.
  const noise = {
    syscalls: [{ at: at(10), syscallName: "openat" }],
    network: [{ at: at(10), action: "denied" as const }],
    files: [{ at: at(10) }],
  };
  await Promise.all([
    insertTelemetry(org.orgId, app.id, { syscalls, network, files }),
    insertTelemetry(org.orgId, sibling.id, noise),
    insertTelemetry(otherOrg.orgId, foreign.id, noise),
    insertTelemetry(org.orgId, app.id, {
      syscalls: [{ at: at(-1) }, { at: at(180) }],
      network: [{ at: at(180), action: "blocked" }],
      files: [{ at: at(-5) }],
    }),
  ]);
});

/** Group rows by a key and count; JS only, no SQL. */
function tally<R>(rows: R[], key: (r: R) => string, fields: Record<string, (r: R) => number>) {
  const out = new Map<string, Record<string, number>>();
  for (const r of rows) {
    const k = key(r);
    const acc =
      out.get(k) ?? Object.fromEntries([["count", 0], ...Object.keys(fields).map((f) => [f, 0])]);
    acc.count! += 1;
    for (const [f, get] of Object.entries(fields)) acc[f]! += get(r);
    out.set(k, acc);
  }
  return out;
}

const byCountThen =
  <T extends { count: number }>(cmp: (a: T, b: T) => number) =>
  (a: T, b: T) =>
    b.count - a.count || cmp(a, b);
const str = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

describe("GET /api/telemetry/stats", () => {
  it("equals the hand-computed aggregations of the seeded data", async () => {
    const q = `app=stats-app&from=${FROM.toISOString()}&to=${TO.toISOString()}&window=1h&top=3`;
    const res = await api("GET", `/api/telemetry/stats?${q}`, { key: org.readKey });
    expect(res.status).toBe(200);
    const body = res.body;
    expect(body.app_id).toBe(appId);
    expect(body.window_seconds).toBe(3600);
    expect(body.totals).toEqual({ syscalls: 140, network: 90, files: 60 });

    const sys = [
      ...tally(syscalls, (r) => r.syscallName!, { failures: (r) => (r.success ? 0 : 1) }),
    ]
      .map(([syscall_name, v]) => ({ syscall_name, count: v.count!, failures: v.failures! }))
      .sort(byCountThen((a, b) => str(a.syscall_name, b.syscall_name)))
      .slice(0, 3);
    expect(body.top_syscalls).toEqual(sys);

    const dest = [
      ...tally(network, (r) => JSON.stringify([r.dstIp, r.dstPort, r.dnsQuery]), {
        bytes_sent: (r) => r.bytesSent ?? 0,
        bytes_recv: (r) => r.bytesRecv ?? 0,
        denied: (r) => (r.action === "allowed" ? 0 : 1),
      }),
    ]
      .map(([k, v]) => {
        const [dst_ip, dst_port, dns_query] = JSON.parse(k) as [
          string,
          number | null,
          string | null,
        ];
        return {
          dst_ip,
          dst_port,
          dns_query,
          count: v.count!,
          bytes_sent: v.bytes_sent!,
          bytes_recv: v.bytes_recv!,
          denied: v.denied!,
        };
      })
      .sort(byCountThen((a, b) => str(a.dst_ip, b.dst_ip)))
      .slice(0, 3);
    expect(body.destinations).toEqual(dest);

    const protocols = [
      ...tally(network, (r) => r.protocol!, {
        bytes_sent: (r) => r.bytesSent ?? 0,
        bytes_recv: (r) => r.bytesRecv ?? 0,
        allowed: (r) => (r.action === "allowed" ? 1 : 0),
        denied: (r) => (r.action === "denied" ? 1 : 0),
        blocked: (r) => (r.action === "blocked" ? 1 : 0),
      }),
    ]
      .map(([protocol, v]) => ({ protocol, count: v.count!, ...v }))
      .sort(byCountThen((a, b) => str(a.protocol, b.protocol)));
    expect(body.protocols).toEqual(protocols);

    const failures = { failures: (r: FileSpec) => (r.success ? 0 : 1) };
    const ops = [...tally(files, (r) => r.operation!, failures)]
      .map(([operation, v]) => ({ operation, count: v.count!, failures: v.failures! }))
      .sort(byCountThen((a, b) => str(a.operation, b.operation)));
    expect(body.file_operations).toEqual(ops);
    const paths = [...tally(files, (r) => r.path!, failures)]
      .map(([path, v]) => ({ path, count: v.count!, failures: v.failures! }))
      .sort(byCountThen((a, b) => str(a.path, b.path)))
      .slice(0, 3);
    expect(body.top_paths).toEqual(paths);

    const hours = [0, 1, 2].map((h) => {
      const inHour = network.filter(
        (r) => Math.floor((r.at.getTime() - FROM.getTime()) / HOUR) === h,
      );
      return {
        start: new Date(FROM.getTime() + h * HOUR).toISOString().replace(".000Z", ".000000Z"),
        denied: inHour.filter((r) => r.action === "denied").length,
        blocked: inHour.filter((r) => r.action === "blocked").length,
      };
    });
    expect(body.denied_over_time).toEqual(hours.filter((h) => h.denied + h.blocked > 0));
    expect(body.denied_over_time.length).toBe(3);
  });

  it("buckets by the window asked for, aligned on from", async () => {
    const q = `app=${appId}&from=${FROM.toISOString()}&to=${TO.toISOString()}&window=30m`;
    const res = await api("GET", `/api/telemetry/stats?${q}`, { key: org.readKey });
    expect(res.status).toBe(200);
    const halfHours = new Map<number, number>();
    for (const r of network.filter((n) => n.action !== "allowed")) {
      const b = Math.floor((r.at.getTime() - FROM.getTime()) / (HOUR / 2));
      halfHours.set(b, (halfHours.get(b) ?? 0) + 1);
    }
    const got = res.body.denied_over_time.map(
      (b: { start: string; denied: number; blocked: number }) => [
        (Date.parse(b.start) - FROM.getTime()) / (HOUR / 2),
        b.denied + b.blocked,
      ],
    );
    expect(got).toEqual([...halfHours].sort((a, b) => a[0]! - b[0]!));
  });

  it("covers every app of the org when no app is named, and never another org's", async () => {
    const q = `from=${FROM.toISOString()}&to=${TO.toISOString()}`;
    const res = await api("GET", `/api/telemetry/stats?${q}`, { key: org.readKey });
    expect(res.body.app_id).toBeNull();
    expect(res.body.totals).toEqual({ syscalls: 141, network: 91, files: 61 });
  });

  it("answers invalid parameters with 400 naming them", async () => {
    const cases: [string, string][] = [
      ["window=1w", "query.window"],
      ["window=10s", "query.window"],
      ["window=31d", "query.window"],
      ["top=0", "query.top"],
      ["top=101", "query.top"],
      ["from=2026-01-01", "query.from"],
      [`from=${TO.toISOString()}&to=${FROM.toISOString()}`, "query.to"],
      [`from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&window=1h`, "query.window"],
      ["group_by=app", "query.group_by"],
    ];
    for (const [query, path] of cases) {
      const res = await api("GET", `/api/telemetry/stats?${query}`, { key: org.readKey });
      expect(res.status, query).toBe(400);
      expect(
        res.body.error.details.map((d: { path: string }) => d.path),
        query,
      ).toContain(path);
    }
    const unknown = await api("GET", "/api/telemetry/stats?app=nope", { key: org.readKey });
    expect(unknown.status).toBe(404);
  });
});
