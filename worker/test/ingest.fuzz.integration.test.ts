import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import { testDatabase } from "./fixtures.ts";
import { ingest, ingestApp } from "./ingest-fixtures.ts";

/**
 * Property test of POST /api/telemetry/ingest: random valid batches and
 * mutated ones (wrong types, unknown enums, bad timestamps, out-of-range
 * numbers, oversized strings, unknown fields, broken JSON, foreign apps,
 * retries). Whatever arrives: no 5xx, every valid batch is accepted, every
 * accepted batch is stored exactly once, every rejected one not at all.
 *
 * Seeded: `VITE_INGEST_FUZZ_SEED=<n>` replays a run (vitest hands workerd
 * only `VITE_`-prefixed variables). The suite sends 500 batches (~8 s on
 * the embedded PGlite); `VITE_INGEST_FUZZ_COUNT=10000 npx vitest run
 * --project workers worker/test/ingest.fuzz.integration.test.ts` is the
 * issue's 10k run (~2.5 min against PostgreSQL 15, which `.ci/run` does).
 */
const vars = (import.meta as { env?: Record<string, string | undefined> }).env ?? {};
const SEED = Number(vars.VITE_INGEST_FUZZ_SEED ?? 20260221);
const COUNT = Number(vars.VITE_INGEST_FUZZ_COUNT ?? 500);
const CONCURRENCY = 24;

/** mulberry32: a small seeded PRNG, so a failing case reproduces from the seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)]!;
  return { next, int, pick, chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof prng>;

const CHARS = ["a", "Z", "0", "/", ".", " ", "é", "日", "😀", "\\", '"', "\n", "\t", "'", "%"];
const str = (r: Rng, max: number) =>
  Array.from({ length: r.int(0, max) }, () => r.pick(CHARS))
    .join("")
    .slice(0, max);
const nonEmpty = (r: Rng, max: number) => `p${str(r, max - 2)}`;

function timestamp(r: Rng): string {
  const t = new Date(r.int(86_400, 4_102_444_800) * 1000).toISOString(); // 1970-01-02…2100
  return r.pick([
    t,
    t.replace(".000Z", "Z"),
    t.replace("Z", "+05:30"),
    t.replace(".000Z", ".123456789-08:00"),
  ]);
}
const maybe = <T>(r: Rng, v: () => T): T | null | undefined =>
  r.chance(0.7) ? v() : r.pick([null, undefined]);

const syscall = (r: Rng) => ({
  syscall_name: nonEmpty(r, 64),
  syscall_num: maybe(r, () => r.int(0, 2_147_483_647)),
  pid: r.pick([0, 1, r.int(0, 4_194_304), 2_147_483_647]),
  comm: str(r, r.chance(0.05) ? 256 : 16),
  args: maybe(r, () => (r.chance(0.05) ? "x".repeat(4096) : str(r, 40))),
  return_value: maybe(r, () =>
    r.pick([-1, 0, 3, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]),
  ),
  success: r.chance(0.5),
  timestamp: timestamp(r),
});
const ip = (r: Rng) =>
  r.chance(0.7)
    ? [r.int(0, 255), r.int(0, 255), r.int(0, 255), r.int(0, 255)].join(".")
    : r.pick(["::1", "2001:db8::42", "fe80::1ff:fe23:4567:890a", "::ffff:10.0.0.1"]);
const network = (r: Rng) => ({
  direction: r.pick(["inbound", "outbound"]),
  protocol: r.pick(["tcp", "udp", "icmp"]),
  dst_ip: ip(r),
  dst_port: maybe(r, () => r.pick([0, 53, 443, 65535, r.int(0, 65535)])),
  dns_query: maybe(r, () => (r.chance(0.05) ? "d".repeat(253) : str(r, 30))),
  bytes_sent: maybe(r, () => r.pick([0, r.int(0, 1e9), Number.MAX_SAFE_INTEGER])),
  bytes_recv: maybe(r, () => r.int(0, 1e6)),
  action: r.pick(["allowed", "denied", "blocked"]),
  pid: maybe(r, () => r.int(0, 65535)),
  comm: maybe(r, () => str(r, 16)),
  timestamp: timestamp(r),
});
const fileEvent = (r: Rng) => ({
  path: nonEmpty(r, r.chance(0.05) ? 4096 : 60),
  operation: r.pick(["read", "write", "open", "create", "delete", "rename", "chmod", "exec"]),
  pid: r.int(0, 4_194_304),
  comm: str(r, 16),
  success: r.chance(0.5),
  timestamp: timestamp(r),
});

type Event = Record<string, unknown>;
interface Batch {
  app_id: string;
  batch_id?: string;
  syscall_events: Event[];
  network_events: Event[];
  file_events: Event[];
}

const BAD_TIMESTAMPS = [
  "yesterday",
  "2026-02-30T08:00:00Z",
  "2026-02-21 08:00:00",
  "2026-02-21T08:00:00",
  "2026-13-01T00:00:00Z",
  "2026-02-21T24:00:00Z",
  "1969-12-31T23:59:59Z",
  1_700_000_000,
  null,
];
const BAD_PID = [-1, 1.5, "1234", 2 ** 31, null, true];
const LONG = (n: number) => "x".repeat(n + 1);

/** Per event kind: field → values that field never accepts (and whether the field is required). */
const BAD: Record<keyof Omit<Batch, "app_id" | "batch_id">, Record<string, unknown[]>> = {
  syscall_events: {
    syscall_name: ["", 5, LONG(64), "op\u0000en", null],
    syscall_num: [-1, 1.5, "257", 2 ** 31],
    pid: BAD_PID,
    comm: [null, 5, LONG(256), "py\u0000"],
    args: [5, LONG(4096), "\u0000", {}],
    return_value: [1.5, 2 ** 53, "3", []],
    success: ["true", 1, null],
    timestamp: BAD_TIMESTAMPS,
  },
  network_events: {
    direction: ["sideways", "INBOUND", null, 1],
    protocol: ["sctp", "TCP", ""],
    dst_ip: ["1.2.3.999", "example.com", "", 5, "1.2.3.4:80"],
    dst_port: [-1, 65536, 1.5, "443"],
    dns_query: [LONG(253), 5, "a\u0000"],
    bytes_sent: [-1, 1.5, 2 ** 53, "1"],
    bytes_recv: [-5, 1e300],
    action: ["allow", "deny", null],
    pid: [-1, "1", 2 ** 31],
    comm: [5, LONG(256)],
    timestamp: BAD_TIMESTAMPS,
  },
  file_events: {
    path: ["", LONG(4096), "/etc/\u0000", null, 7],
    operation: ["truncate", "READ", null],
    pid: BAD_PID,
    comm: [LONG(256), null, false],
    success: [0, "false"],
    timestamp: BAD_TIMESTAMPS,
  },
};
const REQUIRED: Record<keyof typeof BAD, string[]> = {
  syscall_events: ["syscall_name", "pid", "comm", "success", "timestamp"],
  network_events: ["direction", "protocol", "dst_ip", "action", "timestamp"],
  file_events: ["path", "operation", "pid", "comm", "success", "timestamp"],
};
const KINDS = Object.keys(BAD) as (keyof typeof BAD)[];

function validBatch(r: Rng, slug: string, batchId: string): Batch {
  const n = () => (r.chance(0.2) ? 0 : r.int(1, r.chance(0.05) ? 60 : 6));
  return {
    app_id: slug,
    batch_id: batchId,
    syscall_events: Array.from({ length: n() }, () => syscall(r)),
    network_events: Array.from({ length: n() }, () => network(r)),
    file_events: Array.from({ length: n() }, () => fileEvent(r)),
  };
}

interface Case {
  batchId: string;
  /** What the request carries (an object, or raw text). */
  body: unknown;
  headers: Record<string, string>;
  gzip: boolean;
  /** The statuses the case may get; the stored counts when accepted. */
  expect: number[];
  counts: [number, number, number];
  mutation: string;
}

/** One case: a valid batch, or a valid batch with one mutation that must make it fail. */
function makeCase(r: Rng, i: number, slugs: { own: string; other: string }): Case {
  const batchId = `fz-${SEED}-${i}`;
  const b = validBatch(r, slugs.own, batchId);
  const counts: Case["counts"] = [
    b.syscall_events.length,
    b.network_events.length,
    b.file_events.length,
  ];
  const c: Case = {
    batchId,
    body: b,
    headers: {},
    gzip: r.chance(0.2),
    expect: [201],
    counts,
    mutation: "none",
  };
  if (r.chance(0.15)) {
    // The id travels in the header instead.
    delete b.batch_id;
    c.headers["idempotency-key"] = batchId;
  }
  if (r.chance(0.45)) return c;
  const kind = r.pick(KINDS.filter((k) => b[k].length > 0));
  const roll = r.int(0, 9);
  const bad = (m: string, status = 400) => Object.assign(c, { mutation: m, expect: [status] });
  if (kind && roll <= 3) {
    const event = r.pick(b[kind]);
    const field = r.pick(Object.keys(BAD[kind]));
    event[field] = r.pick(BAD[kind][field]!);
    return bad(`${kind}.${field}=${JSON.stringify(event[field])?.slice(0, 20)}`);
  }
  if (kind && roll === 4) {
    const field = r.pick(REQUIRED[kind]);
    delete r.pick(b[kind])[field];
    return bad(`${kind}.${field} missing`);
  }
  if (kind && roll === 5) {
    r.pick(b[kind])[r.pick(["uid", "extra", "Pid", "__proto_"])] = 1;
    return bad(`${kind} unknown field`);
  }
  if (roll === 6) {
    const m = r.int(0, 4);
    const top = b as unknown as Record<string, unknown>;
    if (m === 0) top.app_id = r.pick([5, "", null, LONG(63)]);
    else if (m === 1) top[r.pick(KINDS)] = r.pick([{}, "[]", 5, null, [null], [5]]);
    else if (m === 2) top.batch_id = r.pick(["", "../x", "a b", LONG(128), 5]);
    else if (m === 3) top.unexpected = true;
    else c.body = r.pick([[b], "null", 5, '"batch"']);
    if (m === 2) c.headers = {};
    return bad(`top-level ${m}`);
  }
  if (roll === 7) {
    const text = JSON.stringify(b);
    c.body = text.slice(0, r.int(0, text.length - 1));
    return bad("truncated JSON");
  }
  if (roll === 8) {
    b.app_id = r.pick([slugs.other, "no-such-app"]);
    return bad("another app", 403);
  }
  return c; // roll 9: valid after all
}

/**
 * Cases per test, so a long run reports as it goes and each test has a
 * bounded budget.
 */
const CHUNK = 500;

/**
 * The Worker's own fetch handler, called in this isolate with the test's
 * bindings and a fresh execution context per request (waited on, so the
 * request's database pool is closed before the next counts as done).
 * Not `SELF.fetch`: in @cloudflare/vitest-pool-workers 0.15.1 every
 * `SELF.fetch` costs more than the one before (500 requests that answer
 * 401 without touching the database: 15 s, the next 500: 111 s; the same
 * calls made directly: 70 ms each time), which is what kept a 10k run from
 * finishing.
 */
async function callWorker(request: Request): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch!(request as Parameters<typeof worker.fetch>[0], env as never, ctx);
  const body = await res.arrayBuffer();
  await waitOnExecutionContext(ctx);
  return new Response(body, { status: res.status, headers: res.headers });
}

describe(`ingest fuzz: ${COUNT} random and mutated batches (seed ${SEED})`, () => {
  let own: Awaited<ReturnType<typeof ingestApp>>;
  let other: Awaited<ReturnType<typeof ingestApp>>;
  const r = prng(SEED);
  /** Batch ids accepted so far, over all chunks. */
  const accepted = new Set<string>();

  beforeAll(async () => {
    own = await ingestApp();
    other = await ingestApp({ org: own.org });
  });

  for (let from = 0; from < COUNT; from += CHUNK) {
    const to = Math.min(COUNT, from + CHUNK);
    it(
      `cases ${from}-${to - 1}: no 5xx, stored exactly once or not at all`,
      () => runCases(from, to),
      // ~50 ms a request on an idle machine; the budget allows a loaded one.
      Math.max(120_000, (to - from) * 600),
    );
  }

  async function runCases(from: number, to: number): Promise<void> {
    // Cases are made as they are sent and only their outcome is kept.
    const sent: { batchId: string; counts: Case["counts"]; mutation: string }[] = [];
    function* requests(): Generator<[Case, boolean]> {
      for (let i = from; i < to; i++) {
        const c = makeCase(r, i, { own: own.slug, other: other.slug });
        sent.push({ batchId: c.batchId, counts: c.counts, mutation: c.mutation });
        const retried = c.mutation === "none" && r.chance(0.1);
        // Retries of valid batches, racing the original: whichever is first is the 201.
        if (retried) c.expect = [200, 201];
        yield [c, false];
        if (retried) yield [c, true];
      }
    }
    const failures: string[] = [];
    let requestCount = 0;
    /** One request; every way it can go wrong becomes a line in `failures`, never a throw. */
    const send = async (c: Case, retry: boolean): Promise<void> => {
      const label = `${c.batchId} (${c.mutation}${retry ? ", retry" : ""})`;
      let res: Awaited<ReturnType<typeof ingest>>;
      try {
        res = await ingest(own.key, c.body, {
          gzip: c.gzip,
          headers: c.headers,
          fetch: callWorker,
        });
      } catch (err) {
        failures.push(`${label}: ${(err as Error).stack ?? String(err)}`.slice(0, 1000));
        return;
      }
      const ok = retry ? [200, 201] : c.expect;
      if (res.status >= 500 || !ok.includes(res.status)) {
        failures.push(`${label}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
        return;
      }
      if (res.status >= 300) return;
      const got = res.body.accepted;
      const counts = [got?.syscall_events, got?.network_events, got?.file_events];
      if (counts.join() !== c.counts.join() || res.body.batch_id !== c.batchId) {
        failures.push(`${label}: accepted ${JSON.stringify(res.body).slice(0, 300)}`);
        return;
      }
      accepted.add(c.batchId);
    };
    // A fixed pool of workers pulling from one generator: nothing grows with the count.
    const queue = requests();
    const started = Date.now();
    const worker = async () => {
      for (let n = queue.next(); !n.done; n = queue.next()) {
        requestCount++;
        await send(...n.value);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    console.log(
      `ingest fuzz: cases ${from}-${to - 1}: ${requestCount} requests in ${Date.now() - started} ms, ${accepted.size} batches accepted so far`,
    );
    expect(failures).toEqual([]);

    // Stored exactly once: per batch id, the rows equal its counts; rejected ids have nothing.
    const { db, close } = testDatabase();
    try {
      const stored = new Map<string, [number, number, number, number]>();
      const tables = ["syscall_events", "network_events", "file_access_events", "ingest_batches"];
      for (const [t, table] of tables.entries()) {
        const rows = await db.execute<{ batch_id: string; n: number }>(
          sql`select batch_id, count(*)::int as n from ${sql.identifier(table)} where org_id = ${own.org.orgId} group by batch_id`,
        );
        for (const row of rows.rows) {
          const entry = stored.get(row.batch_id) ?? [0, 0, 0, 0];
          entry[t] = row.n;
          stored.set(row.batch_id, entry);
        }
      }
      for (const c of sent) {
        const want = accepted.has(c.batchId) ? [...c.counts, 1] : undefined;
        expect(stored.get(c.batchId), `${c.batchId} (${c.mutation})`).toEqual(want);
      }
      expect(stored.size).toBe(accepted.size);
    } finally {
      await close();
    }
  }
});
