import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

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
  // Queue extra connections instead of dropping them (the CLI's default is 1).
  const server = new PGLiteSocketServer({ db, host, port: opts.port ?? 0, maxConnections: 100 });
  await server.start();
  const port = await boundPort(server, opts.port);
  return {
    url: `postgres://postgres:postgres@${host}:${port}/postgres`,
    port,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}

async function boundPort(server: PGLiteSocketServer, requested?: number): Promise<number> {
  const inner = (server as unknown as { server?: { address(): { port: number } | null } }).server;
  const port = inner?.address()?.port ?? requested;
  if (!port) throw new Error("PGlite socket server did not report its port");
  return port;
}
