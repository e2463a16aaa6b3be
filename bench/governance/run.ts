/**
 * bench/governance: decisions through the Worker beside the engine in
 * process, measured in the same run against `wrangler dev` and the local
 * Postgres:
 * - evaluate latency (p50/p99) of `POST /api/opa/evaluate` and
 *   `POST /v1/data/{path}` (each logs its decision), beside `evalPath` in
 *   process for the same inputs;
 * - simulate throughput (events/s) of `POST /api/opa/simulate` over 10k
 *   stored syscall events (draft and active policy each evaluated per event),
 *   beside the same replay in process over the same inputs.
 *
 *   npx tsx bench/governance/run.ts [--evals 500] [--events 10000] [--runs 5]
 */
import { parseArgs } from "node:util";
import { compile } from "../../rego/src/index.ts";
import { apps, syscallEvents } from "../../schema/src/tables/index.ts";
import { freePort, startControlPlane } from "../../dev/control-plane.ts";
import { openDatabase } from "../../dev/node-database.ts";
import { createOrgWithAdminKey } from "../../worker/src/services/orgs.ts";
import { simulate } from "../../worker/src/services/governance/simulate.ts";
import { cryptoRandom } from "../../worker/src/services/tokens.ts";
import { ms, percentile, table } from "../stats.ts";

const { values } = parseArgs({
  options: {
    evals: { type: "string", default: "500" },
    events: { type: "string", default: "10000" },
    runs: { type: "string", default: "5" },
  },
});
const evals = Number(values.evals);
const eventCount = Number(values.events);
const runs = Number(values.runs);

const ACTIVE = `package tether.sandbox

default allow := false

allowed_syscalls := {"read", "write", "openat", "close", "fstat", "mmap", "brk", "futex", "epoll_wait"}

sensitive_prefixes := ["/etc/shadow", "/root/", "/proc/kcore"]

allow if {
  input.syscall_name in allowed_syscalls
  not touches_sensitive
}

touches_sensitive if {
  some prefix in sensitive_prefixes
  startswith(input.args, prefix)
}

reasons contains sprintf("syscall %s not allowed", [input.syscall_name]) if not input.syscall_name in allowed_syscalls

reasons contains sprintf("%s touches %s", [input.comm, input.args]) if touches_sensitive
`;
const DRAFT = ACTIVE.replace('"epoll_wait"}', '"epoll_wait", "connect", "sendto"}');
const NAMES = ["read", "write", "openat", "close", "connect", "sendto", "execve", "mmap", "futex"];
const ARGS = ["/tmp/x", "/etc/shadow", "/usr/lib/libc.so", "/root/.ssh/id_rsa", "/proc/self/maps"];

const plane = await startControlPlane({ port: await freePort(), log: (l) => console.error(l) });

// biome-ignore lint/suspicious/noExplicitAny: the bench reads many response shapes
async function call(method: string, path: string, key: string, body?: unknown): Promise<any> {
  const res = await fetch(`${plane.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body ? { "content-type": "application/json" } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300)
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** The input the replay builds from a stored syscall row (ADR 005's field names). */
const inputOf = (i: number, slug: string, t0: number) => ({
  kind: "syscall",
  app_id: slug,
  node_id: null,
  timestamp: new Date(t0 + i).toISOString(),
  syscall_name: NAMES[i % NAMES.length]!,
  syscall_num: i % 300,
  pid: 1000 + (i % 13),
  comm: i % 3 ? "python" : "node",
  args: ARGS[i % ARGS.length]!,
  return_value: 0,
  success: true,
});

const rows: Record<string, string | number>[] = [];
try {
  const { db, close } = openDatabase(plane.databaseUrl, plane.dbWsProxy);
  const slug = "bench-app";
  const t0 = Date.parse("2026-02-21T08:00:00Z");
  let key: string;
  try {
    const org = await createOrgWithAdminKey(db, {
      name: "bench-governance",
      now: new Date(),
      random: cryptoRandom,
      actor: "system",
    });
    key = org!.key;
    const [app] = await db
      .insert(apps)
      .values({ orgId: org!.orgId, slug, name: "bench" })
      .returning();
    for (let i = 0; i < eventCount; i += 1000) {
      await db.insert(syscallEvents).values(
        Array.from({ length: Math.min(1000, eventCount - i) }, (_, j) => {
          const x = inputOf(i + j, slug, t0);
          return {
            orgId: org!.orgId,
            appId: app!.id,
            batchId: "bench",
            timestamp: new Date(x.timestamp),
            syscallName: x.syscall_name,
            syscallNum: x.syscall_num,
            pid: x.pid,
            comm: x.comm,
            args: x.args,
            returnValue: 0,
            success: true,
          };
        }),
      );
    }
  } finally {
    await close();
  }
  await call("POST", "/api/opa/policies", key, {
    name: "sandbox",
    source: ACTIVE,
    status: "active",
  });
  const inputs = Array.from({ length: eventCount }, (_, i) => inputOf(i, slug, t0));

  // Evaluate: sequential requests, one decision each (logged), after a warm-up.
  const path = "tether/sandbox/allow";
  for (let i = 0; i < 20; i++)
    await call("POST", "/api/opa/evaluate", key, { path, input: inputs[i] });
  for (const [label, route, body] of [
    ["POST /api/opa/evaluate", "/api/opa/evaluate", (input: unknown) => ({ path, input })],
    ["POST /v1/data/{path}", `/v1/data/${path}`, (input: unknown) => ({ input })],
  ] as const) {
    const times: number[] = [];
    for (let i = 0; i < evals; i++) {
      const start = performance.now();
      await call("POST", route, key, body(inputs[i % inputs.length]));
      times.push(performance.now() - start);
    }
    rows.push({
      measure: `${label} (Worker, logged)`,
      n: evals,
      p50: ms(percentile(times, 50)),
      p99: ms(percentile(times, 99)),
      throughput: "",
    });
  }
  const engine = compile({ "sandbox.rego": ACTIVE });
  const local: number[] = [];
  for (let i = 0; i < evals * 20; i++) {
    const start = performance.now();
    engine.evalPath(`data.${path.replaceAll("/", ".")}`, { input: inputs[i % inputs.length] });
    local.push(performance.now() - start);
  }
  rows.push({
    measure: "evalPath (engine in process)",
    n: evals * 20,
    p50: `${(percentile(local, 50) * 1000).toFixed(1)} µs`,
    p99: `${(percentile(local, 99) * 1000).toFixed(1)} µs`,
    throughput: "",
  });

  // Simulate: the whole history in one request, draft vs active per event.
  const walls: number[] = [];
  const serverMs: number[] = [];
  let changed = 0;
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    const report = await call("POST", "/api/opa/simulate", key, {
      source: DRAFT,
      against: { kind: "syscall", app: slug, limit: eventCount },
    });
    walls.push(performance.now() - start);
    serverMs.push(report.duration_ms);
    if (report.total !== eventCount) throw new Error(`simulated ${report.total} of ${eventCount}`);
    changed = report.changed_count;
  }
  const rate = (n: number, msTaken: number) => `${Math.round((n / msTaken) * 1000)} events/s`;
  rows.push({
    measure: `POST /api/opa/simulate, ${eventCount} events (Worker, wall)`,
    n: runs,
    p50: ms(percentile(walls, 50)),
    p99: ms(percentile(walls, 99)),
    throughput: rate(eventCount, percentile(walls, 50)),
  });
  rows.push({
    measure: "  of which in the handler (duration_ms)",
    n: runs,
    p50: ms(percentile(serverMs, 50)),
    p99: ms(percentile(serverMs, 99)),
    throughput: rate(eventCount, percentile(serverMs, 50)),
  });
  const draftEngine = compile({ "draft.rego": DRAFT });
  const items = inputs.map((input, i) => ({ id: i + 1, timestamp: input.timestamp, input }));
  const localRuns: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    const report = simulate(draftEngine, engine, path, items);
    localRuns.push(performance.now() - start);
    if (report.changed.length !== changed) {
      throw new Error(`in process ${report.changed.length} changed, Worker ${changed}`);
    }
  }
  rows.push({
    measure: `simulate() in process, ${eventCount} events`,
    n: runs,
    p50: ms(percentile(localRuns, 50)),
    p99: ms(percentile(localRuns, 99)),
    throughput: rate(eventCount, percentile(localRuns, 50)),
  });
  console.log(table(rows));
  console.log(`\nchanged decisions (draft vs active): ${changed} of ${eventCount}, same in both`);
} finally {
  await plane.stop();
}
