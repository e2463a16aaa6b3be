/**
 * bench/propagation: policy write → every agent has verified the signed
 * event and its acknowledgement was recorded, for N simulated agents
 * holding real streams to `wrangler dev`. Beside it, in the same run and
 * over the same connections, two baselines through the same Durable Object:
 * - bare broadcast: `POST /api/hub/ping` until each agent has the ping
 *   (one way: no database, no signature, no return path);
 * - bare round trip: the same ping until each agent has the Hub's answer
 *   to its pong (up the socket, or POST /pong on SSE): the path of an ack
 *   without the database write, the signature and its verification.
 *
 *   npx tsx bench/propagation/run.ts [--n 10,100,1000] [--writes 10]
 */
import { parseArgs } from "node:util";
import { freePort, startControlPlane } from "../../dev/control-plane.ts";
import { openDatabase } from "../../dev/node-database.ts";
import { createOrgWithAdminKey } from "../../worker/src/services/orgs.ts";
import { cryptoRandom } from "../../worker/src/services/tokens.ts";
import { ms, percentile, table } from "../stats.ts";
import { clock, Fleet } from "./fleet.ts";
import type { Enrolled, Transport } from "./sim-agent.ts";

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "10,100,1000" },
    writes: { type: "string", default: "10" },
    transport: { type: "string", default: "ws,sse" },
  },
});
const transports = values.transport!.split(",") as Transport[];
for (const t of transports) {
  if (t !== "ws" && t !== "sse") throw new Error(`--transport: unknown transport "${t}" (ws, sse)`);
}
const sizes = values.n!.split(",").map(Number);
const writes = Number(values.writes);
/** Rounds (a ping and a write) per N before the counted ones. */
const WARMUP = 2;

// DATABASE_URL (from the environment, never argv): a Postgres server instead of embedded PGlite
const databaseUrl = process.env.DATABASE_URL || undefined;
const plane = await startControlPlane({
  port: await freePort(),
  log: (l) => console.error(l),
  ...(databaseUrl ? { databaseUrl } : {}),
});
const server = plane.url;

/** Like the real agent, a request that fails at the connection level is retried with backoff. */
async function call(
  method: string,
  path: string,
  key: string,
  body?: unknown,
  attempt = 0,
  // biome-ignore lint/suspicious/noExplicitAny: the bench reads many response shapes
): Promise<any> {
  let res: Response;
  try {
    res = await fetch(`${server}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body ? { "content-type": "application/json" } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  } catch (err) {
    if (attempt >= 5) throw new Error(`${method} ${path}: ${(err as Error).message}`);
    retries++;
    await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    return call(method, path, key, body, attempt + 1);
  }
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300)
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function newOrgKey(name: string): Promise<string> {
  const { db, close } = openDatabase(plane.databaseUrl, plane.dbWsProxy);
  try {
    const org = await createOrgWithAdminKey(db, {
      name,
      now: new Date(),
      random: cryptoRandom,
      actor: "system",
    });
    return org!.key;
  } finally {
    await close();
  }
}

const rows: Record<string, string | number>[] = [];
const fleet = new Fleet();
let retries = 0;
try {
  for (const transport of transports)
    for (const n of sizes) {
      const adminKey = await newOrgKey(`bench-${transport}-${n}`);
      const { token } = await call("POST", "/api/enrollment-tokens", adminKey, {
        name: "bench",
        reusable: true,
      });
      const nodes: Enrolled[] = [];
      for (let i = 0; i < n; i += 25) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(25, n - i) }, (_, j) =>
            call("POST", "/v1/register", token, {
              public_key: Buffer.from(cryptoRandom(32)).toString("base64"),
              hostname: `sim-${i + j}`,
            }),
          ),
        );
        nodes.push(
          ...batch.map((r) => ({ id: r.node_id, credential: r.credential, keys: r.signing_keys })),
        );
      }
      const policy = await call("POST", "/api/mesh/policies", adminKey, {
        name: "bench",
        rules: [{ src: "*", dst: "*", port: 1, protocol: "tcp", action: "deny" }],
      });
      await fleet.start(server, nodes, transport);
      const connected = await call("GET", "/api/hub/connections", adminKey);
      if (connected.connections.length !== n)
        throw new Error(`${connected.connections.length} of ${n} connected`);

      const broadcast: number[] = [];
      const roundTrip: number[] = [];
      const acks: number[] = [];
      const acksAll: number[] = [];
      const phases: {
        put: number;
        firstEvent: number;
        allEvents: number;
        allVerified: number;
        allAcks: number;
      }[] = [];
      // WARMUP rounds first, not counted: the first uses of a query shape,
      // a connection and a code path are slower than what a fleet sees after.
      for (let w = -WARMUP; w < writes; w++) {
        const counted = w >= 0;
        const t0 = clock();
        const { id } = await call("POST", "/api/hub/ping", adminKey);
        const { received: pinged, answered } = await fleet.pings(id);
        if (counted) {
          broadcast.push(...pinged.map((t) => t - t0));
          roundTrip.push(...answered.map((t) => t - t0));
        }

        const t1 = clock();
        const written = await call("PUT", `/api/mesh/policies/${policy.id}`, adminKey, {
          name: "bench",
          rules: [{ src: "*", dst: "*", port: 2 + WARMUP + w, protocol: "tcp", action: "deny" }],
        });
        const putDone = clock() - t1;
        const revision = written.revision as number;
        const { acked, received, verified } = await fleet.acks(revision);
        if (!counted) continue;
        const ackTimes = acked.map((t) => t - t1);
        acks.push(...ackTimes);
        acksAll.push(Math.max(...ackTimes));
        const recv = received.map((t) => t - t1);
        phases.push({
          put: putDone,
          firstEvent: Math.min(...recv),
          allEvents: Math.max(...recv),
          allVerified: Math.max(...verified.map((t) => t - t1)),
          allAcks: Math.max(...ackTimes),
        });
      }
      const stats = await fleet.stop();
      retries += stats.retries;
      for (const [reason, count] of Object.entries(stats.retryReasons))
        console.error(`${transport} N=${n}: ${count} agent requests retried after: ${reason}`);
      rows.push({
        transport,
        N: n,
        "write→ack p50": ms(percentile(acks, 50)),
        "write→ack p99": ms(percentile(acks, 99)),
        "write→all acked (mean)": ms(acksAll.reduce((s, x) => s + x, 0) / acksAll.length),
        "broadcast p50": ms(percentile(broadcast, 50)),
        "broadcast p99": ms(percentile(broadcast, 99)),
        "round trip p50": ms(percentile(roundTrip, 50)),
        "round trip p99": ms(percentile(roundTrip, 99)),
        "ratio p99 / broadcast": (percentile(acks, 99) / percentile(broadcast, 99)).toFixed(2),
        "ratio p99 / round trip": (percentile(acks, 99) / percentile(roundTrip, 99)).toFixed(2),
        "bad signatures": stats.verifyFailures,
        "retried requests": retries,
        "acks batched by the Hub": `${stats.batchedAcks}/${stats.acks}`,
      });
      const mean = (k: keyof (typeof phases)[0]) =>
        ms(phases.reduce((x, p) => x + p[k], 0) / phases.length);
      console.error(
        `${transport} N=${n}: PUT answered ${mean("put")}, first event ${mean("firstEvent")}, all events ${mean("allEvents")}, all verified and acks sent ${mean("allVerified")}, all acks ${mean("allAcks")}`,
      );
      retries = 0;
    }
  console.log(
    `\nbench/propagation (${writes} writes per N after ${WARMUP} not counted, wrangler dev + ${databaseUrl ? "the Postgres at DATABASE_URL" : "PGlite"} on this machine)\n`,
  );
  console.log(table(rows));
} finally {
  await fleet.close();
  await plane.stop();
}
