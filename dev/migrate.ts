import { fileURLToPath } from "node:url";
import { migrate } from "drizzle-orm/neon-serverless/migrator";
import { openDatabase } from "./node-database.ts";
import { startWsProxy } from "./ws-proxy.ts";

export const MIGRATIONS_DIR = fileURLToPath(new URL("../schema/migrations", import.meta.url));

/** Applies the committed migrations (schema/migrations) that the database lacks. */
export async function applyMigrations(url: string, proxy?: string): Promise<void> {
  const { db, close } = openDatabase(url, proxy);
  try {
    await migrate(db, { migrationsFolder: MIGRATIONS_DIR });
  } finally {
    await close();
  }
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === "127.0.0.1" || host === "localhost" || host === "::1" || host === "[::1]";
}

/**
 * `npm run db:migrate`: migrates DATABASE_URL. A loopback Postgres is reached
 * through a temporary WebSocket proxy; anything else is treated as Neon.
 */
async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error("db:migrate: set DATABASE_URL to the Postgres to migrate");
    process.exit(2);
  }
  const proxy = isLoopback(url) ? await startWsProxy() : undefined;
  try {
    await applyMigrations(url, proxy?.address);
    console.log("migrations applied");
  } finally {
    await proxy?.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => {
    console.error(`db:migrate failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
