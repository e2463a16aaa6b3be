import { neonConfig, Pool } from "@neondatabase/serverless";
import { drizzle, type NeonDatabase } from "drizzle-orm/neon-serverless";

/**
 * A drizzle database over the Neon driver. No relational schema is given:
 * no code uses `db.query.*`, and drizzle would rebuild the relational
 * config of every table each time a client is made (once per request).
 */
export type Database = NeonDatabase;

export interface DatabaseHandle {
  db: Database;
  /** Ends the pool; call it in `waitUntil` once the response is sent. */
  close(): Promise<void>;
}

/**
 * A database client for one request. workerd forbids I/O objects shared
 * across requests, so each request gets its own Pool (it connects lazily,
 * on the first query).
 */
/** What a database client needs (kept free of Worker types: Node code uses it too). */
export interface DatabaseSettings {
  DATABASE_URL: string;
  DB_WS_PROXY?: string | undefined;
}

export function createDatabase(env: DatabaseSettings): DatabaseHandle {
  const proxy = env.DB_WS_PROXY;
  if (proxy) {
    // Plain Postgres behind dev/ws-proxy.ts: no TLS, no pipelining.
    neonConfig.wsProxy = (host, port) => `${proxy}/v2?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
    // Coalescing holds each write for a setTimeout(0), to merge the pieces of
    // a TLS record; with no TLS it only adds that wait to every round trip.
    neonConfig.coalesceWrites = false;
  }
  const pool = new Pool({ connectionString: env.DATABASE_URL, max: 4 });
  // An idle client that errors (e.g. the server went away) must not crash the isolate.
  pool.on("error", () => {});
  return {
    db: drizzle(pool),
    close: () => pool.end(),
  };
}

/** The driver Pool under a drizzle database made by {@link createDatabase}. */
export function poolOf(db: Database, who: string): Pool {
  const pool = (db as Database & { $client?: Pool }).$client;
  if (!pool)
    throw new Error(`${who} needs a drizzle database over a @neondatabase/serverless Pool`);
  return pool;
}

/** Postgres error code of a failed drizzle query (drizzle puts the driver error in `cause`). */
export function pgErrorCode(err: unknown): string | undefined {
  for (let e: unknown = err; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}
