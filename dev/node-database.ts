import { neonConfig } from "@neondatabase/serverless";
import { WebSocket } from "ws";
import { createDatabase, type DatabaseHandle } from "../worker/src/services/db.ts";

// Node 20 has no global WebSocket; the Neon driver needs one.
neonConfig.webSocketConstructor = WebSocket;

/**
 * The Worker's own database client, used from Node (migrations, the admin-key
 * CLI, tests). `proxy` is the dev WebSocket proxy for a local Postgres; leave
 * it out for Neon.
 */
export function openDatabase(url: string, proxy?: string): DatabaseHandle {
  return createDatabase(proxy ? { DATABASE_URL: url, DB_WS_PROXY: proxy } : { DATABASE_URL: url });
}
