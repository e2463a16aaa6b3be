/**
 * bench/ingest: sustained events/s through the Worker (`POST
 * /api/telemetry/ingest`, wrangler dev) into Postgres for 1k-event batches,
 * beside inserting the same rows straight into the same database from Node
 * (multi-row INSERTs through the same driver, one transaction per batch; and
 * drizzle's `insert().values()` for comparison), measured in the same run.
 *
 *   npx tsx bench/ingest/run.ts [--batches 200] [--size 1000] [--concurrency 4] [--database-url postgres://…]
 */
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { type TelemetryBatch, TelemetryBatch as BatchSchema } from "@tether/schema/wire";
import { eq } from "drizzle-orm";
import { apiKeys, fileAccessEvents, networkEvents, syscallEvents } from "@tether/schema/tables";
import { freePort, startControlPlane } from "../../dev/control-plane.ts";
import { openDatabase } from "../../dev/node-database.ts";
import {
  FILES,
  insertStatements,
  NETWORK,
  SYSCALLS,
} from "../../worker/src/services/ingest/rows.ts";
import { DEFAULT_ROWS_PER_INSERT } from "../../worker/src/services/ingest/store.ts";
import { hashToken } from "../../worker/src/services/tokens.ts";
import { ms, percentile, table } from "../stats.ts";

const { values } = parseArgs({
  options: {
    batches: { type: "string", default: "200" },
    size: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "4" },
    gzip: { type: "boolean", default: false },
    "database-url": { type: "string" },
  },
});
const BATCHES = Number(values.batches);
const SIZE = Number(values.size);
const CONCURRENCY = Number(values.concurrency);

const plane = await startControlPlane({
  port: await freePort(),
  log: (l) => console.error(l),
  ...(values["database-url"] ? { databaseUrl: values["database-url"] } : {}),
});

async function call(method: string, path: string, key: string, body: unknown) {
  const res = await fetch(`${plane.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300)
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** One 1k-event batch in ADR 005's shape: a third of each kind. */
function makeBatch(slug: string, id: string): TelemetryBatch {
  const t = (i: number) => new Date(Date.UTC(2026, 1, 21, 8) + i).toISOString();
  const third = Math.floor(SIZE / 3);
  return BatchSchema.parse({
    app_id: slug,
    batch_id: id,
    syscall_events: Array.from({ length: SIZE - 2 * third }, (_, i) => ({
      syscall_name: "openat",
      syscall_num: 257,
      pid: 1000 + (i % 50),
      comm: "python",
      args: `/srv/data/file-${i}.json`,
      return_value: 3,
      success: i % 7 !== 0,
      timestamp: t(i),
    })),
    network_events: Array.from({ length: third }, (_, i) => ({
      direction: "outbound",
      protocol: i % 5 === 0 ? "udp" : "tcp",
      dst_ip: `93.184.${i % 256}.34`,
      dst_port: 443,
      dns_query: "example.com",
      bytes_sent: 256 + i,
      bytes_recv: 1024,
      action: i % 11 === 0 ? "denied" : "allowed",
      pid: 1234,
      comm: "python",
      timestamp: t(i),
    })),
    file_events: Array.from({ length: third }, (_, i) => ({
      path: `/etc/conf-${i}`,
      operation: i % 3 === 0 ? "write" : "read",
      pid: 1234,
      comm: "python",
      success: true,
      timestamp: t(i),
    })),
  });
}

/** Runs `job(i)` for i < n, `CONCURRENCY` at a time; per-job latencies and the wall time. */
async function drive(n: number, job: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < n; i = next++) {
        const t0 = performance.now();
        await job(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - start) / 1000 };
}

try {
  const admin = plane.firstAdminKey!;
  const app = (await call("POST", "/api/apps", admin, { slug: "bench", name: "bench" })) as {
    id: string;
  };
  const key = (await call("POST", `/api/apps/${app.id}/keys`, admin, {
    name: "bench",
    rate_limit_per_minute: 1_000_000,
  })) as { key: string };
  const orgId = await orgOf(admin);

  // Warm-up: the Worker's first requests compile and connect.
  for (let i = 0; i < 3; i++) await post(makeBatch("bench", `warm-${i}`));

  const worker = await drive(BATCHES, (i) => post(makeBatch("bench", `w-${i}`)));

  const { db, close } = openDatabase(plane.databaseUrl, plane.dbWsProxy);
  const pool = (db as unknown as { $client: import("@neondatabase/serverless").Pool }).$client;
  const raw = await drive(BATCHES, async (i) => {
    const batch = makeBatch("bench", `r-${i}`);
    const shared = [orgId, app.id, null, batch.batch_id!];
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      for (const s of [
        ...insertStatements(SYSCALLS, shared, batch.syscall_events, DEFAULT_ROWS_PER_INSERT),
        ...insertStatements(NETWORK, shared, batch.network_events, DEFAULT_ROWS_PER_INSERT),
        ...insertStatements(FILES, shared, batch.file_events, DEFAULT_ROWS_PER_INSERT),
      ]) {
        await client.query(s.text, s.values);
      }
      await client.query("COMMIT");
    } finally {
      client.release();
    }
  });
  const viaDrizzle = await drive(BATCHES, async (i) => {
    const batch = makeBatch("bench", `d-${i}`);
    const base = { orgId, appId: app.id, nodeId: null, batchId: batch.batch_id! };
    const at = (s: string) => new Date(s);
    await db.transaction(async (tx) => {
      await tx.insert(syscallEvents).values(
        batch.syscall_events.map((e) => ({
          ...base,
          timestamp: at(e.timestamp),
          syscallName: e.syscall_name,
          syscallNum: e.syscall_num ?? null,
          pid: e.pid,
          comm: e.comm,
          args: e.args ?? null,
          returnValue: e.return_value ?? null,
          success: e.success,
        })),
      );
      await tx.insert(networkEvents).values(
        batch.network_events.map((e) => ({
          ...base,
          timestamp: at(e.timestamp),
          direction: e.direction,
          protocol: e.protocol,
          dstIp: e.dst_ip,
          dstPort: e.dst_port ?? null,
          dnsQuery: e.dns_query ?? null,
          bytesSent: e.bytes_sent ?? null,
          bytesRecv: e.bytes_recv ?? null,
          action: e.action,
          pid: e.pid ?? null,
          comm: e.comm ?? null,
        })),
      );
      await tx.insert(fileAccessEvents).values(
        batch.file_events.map((e) => ({
          ...base,
          timestamp: at(e.timestamp),
          path: e.path,
          operation: e.operation,
          pid: e.pid,
          comm: e.comm,
          success: e.success,
        })),
      );
    });
  });
  await close();

  const rate = (r: { seconds: number }) => (BATCHES * SIZE) / r.seconds;
  const row = (name: string, r: { latencies: number[]; seconds: number }) => ({
    path: name,
    batches: BATCHES,
    events: BATCHES * SIZE,
    seconds: r.seconds.toFixed(1),
    "events/s": Math.round(rate(r)),
    "vs raw": `${((100 * rate(r)) / rate(raw)).toFixed(0)}%`,
    p50: ms(percentile(r.latencies, 50)),
    p99: ms(percentile(r.latencies, 99)),
  });
  console.log(
    `\n${SIZE}-event batches, concurrency ${CONCURRENCY}, ${values.gzip ? "gzip" : "plain JSON"}, database ${values["database-url"] ? "given" : "embedded PGlite"}\n`,
  );
  console.log(
    table([
      row("Worker: POST /api/telemetry/ingest", worker),
      row("Node: raw multi-row INSERT", raw),
      row("Node: drizzle insert().values()", viaDrizzle),
    ]),
  );
  const share = rate(worker) / rate(raw);
  console.log(`\nWorker at ${(100 * share).toFixed(0)}% of the raw rate (target >= 50%)`);

  async function post(batch: TelemetryBatch) {
    const text = JSON.stringify(batch);
    const res = await fetch(`${plane.url}/api/telemetry/ingest`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${key.key}`,
        "content-type": "application/json",
        ...(values.gzip ? { "content-encoding": "gzip" } : {}),
      },
      body: values.gzip ? gzipSync(text) : text,
    });
    const body = await res.text();
    if (res.status !== 201) throw new Error(`ingest: ${res.status} ${body}`);
  }
} finally {
  await plane.stop();
}

/** The org of the first admin key (the bench's own org). */
async function orgOf(admin: string): Promise<string> {
  const { db, close } = openDatabase(plane.databaseUrl, plane.dbWsProxy);
  try {
    const [row] = await db
      .select({ orgId: apiKeys.orgId })
      .from(apiKeys)
      .where(eq(apiKeys.keyHash, await hashToken(admin)));
    return row!.orgId;
  } finally {
    await close();
  }
}
