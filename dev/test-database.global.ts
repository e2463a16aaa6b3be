import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "./embedded-postgres.ts";
import { applyMigrations } from "./migrate.ts";
import { startWsProxy } from "./ws-proxy.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Postgres the tests use: a fresh migrated PGlite, or DATABASE_URL when set. */
    databaseUrl: string;
    /** `host:port` of the WebSocket proxy in front of it (the Worker's DB_WS_PROXY). */
    dbWsProxy: string;
  }
}

/**
 * vitest globalSetup for integration tiers: a real Postgres, migrated. With
 * DATABASE_URL (a server Postgres on loopback, as CI runs it) that one is
 * used; otherwise an in-memory PGlite that lives for this test run.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.DATABASE_URL;
  const pg = given ? undefined : await startEmbeddedPostgres();
  const url = given ?? pg!.url;
  const proxy = await startWsProxy();
  await applyMigrations(url, proxy.address);
  project.provide("databaseUrl", url);
  project.provide("dbWsProxy", proxy.address);
  return async () => {
    await proxy.stop();
    await pg?.stop();
  };
}
