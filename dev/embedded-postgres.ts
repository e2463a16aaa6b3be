import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { serveWire } from "./pglite-wire-server.ts";

/**
 * PGlite (Postgres compiled to Wasm) served over the Postgres wire protocol
 * on loopback, so a fresh machine needs no database install. `dataDir`
 * keeps the data across restarts; omit it for a throwaway in-memory database.
 */
export interface EmbeddedPostgres {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(
  opts: { dataDir?: string; port?: number; host?: string } = {},
): Promise<EmbeddedPostgres> {
  const host = opts.host ?? "127.0.0.1";
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const db = await PGlite.create(opts.dataDir ?? "memory://");
  const server = await serveWire(db, { host, port: opts.port ?? 0 });
  return {
    url: `postgres://postgres:postgres@${host}:${server.port}/postgres`,
    port: server.port,
    stop: async () => {
      await server.close();
      await db.close();
    },
  };
}
