import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { eq } from "drizzle-orm";
import { apiKeys, orgs } from "@tether/schema/tables";
import { createOrgWithAdminKey } from "../worker/src/services/orgs.ts";
import {
  cryptoRandom,
  generateToken,
  hashToken,
  tokenHint,
} from "../worker/src/services/tokens.ts";
import { startEmbeddedPostgres } from "./embedded-postgres.ts";
import { applyMigrations } from "./migrate.ts";
import { openDatabase } from "./node-database.ts";
import { startWsProxy } from "./ws-proxy.ts";

const USAGE = `usage:
  npm run admin-key -- --org <org id> [--name <name>] [--scope admin|read]
  npm run admin-key -- --new-org <org name>

Creates an admin API key and prints it once on stdout (only its hash is stored).
Uses DATABASE_URL (e.g. your Neon connection string); without it, the local
embedded database under TETHER_DATA_DIR (default .data) while npm start is not running.`;

const ROOT = fileURLToPath(new URL("..", import.meta.url));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      org: { type: "string" },
      "new-org": { type: "string" },
      name: { type: "string", default: "admin key (CLI)" },
      scope: { type: "string", default: "admin" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return void console.log(USAGE);
  if (!values.org === !values["new-org"]) fail("give exactly one of --org or --new-org");
  if (values.scope !== "admin" && values.scope !== "read")
    fail(`--scope must be admin or read, not "${values.scope}"`);

  const target = await openTarget();
  try {
    const { db, close } = openDatabase(target.url, target.proxy);
    try {
      if (values["new-org"]) {
        const created = await createOrgWithAdminKey(db, {
          name: values["new-org"],
          now: new Date(),
          random: cryptoRandom,
          actor: "system",
        });
        console.error(`created org "${created!.orgName}" (${created!.orgId})`);
        console.log(created!.key);
        return;
      }
      const orgId = values.org!;
      if (!/^[0-9a-f-]{36}$/i.test(orgId)) fail(`--org must be an org id (UUID), not "${orgId}"`);
      const [org] = await db.select().from(orgs).where(eq(orgs.id, orgId));
      if (!org) fail(`no org ${orgId} in this database`);
      const key = generateToken("admin", cryptoRandom);
      await db.insert(apiKeys).values({
        orgId,
        kind: "admin",
        name: values.name!,
        keyHash: await hashToken(key),
        keyHint: tokenHint(key),
        scopes: [values.scope],
      });
      console.error(`created a ${values.scope}-scoped key for org "${org!.name}" (${orgId})`);
      console.log(key);
    } finally {
      await close();
    }
  } finally {
    await target.stop();
  }
}

async function openTarget(): Promise<{ url: string; proxy?: string; stop(): Promise<void> }> {
  const url = process.env.DATABASE_URL;
  const loopback = (u: string) =>
    ["127.0.0.1", "localhost", "::1", "[::1]"].includes(new URL(u).hostname);
  if (url && !loopback(url)) return { url, stop: async () => {} };
  if (url) {
    const proxy = await startWsProxy();
    return { url, proxy: proxy.address, stop: () => proxy.stop() };
  }
  const dataDir = resolve(ROOT, process.env.TETHER_DATA_DIR ?? ".data");
  const pidFile = join(dataDir, "start.pid");
  if (existsSync(pidFile) && isAlive(Number(readFileSync(pidFile, "utf8")))) {
    fail("npm start is running on the embedded database: stop it first, or set DATABASE_URL");
  }
  if (!existsSync(join(dataDir, "pglite")))
    fail(`no local database under ${dataDir}: run npm start once, or set DATABASE_URL`);
  const pg = await startEmbeddedPostgres({ dataDir: join(dataDir, "pglite") });
  const proxy = await startWsProxy();
  await applyMigrations(pg.url, proxy.address);
  return {
    url: pg.url,
    proxy: proxy.address,
    stop: async () => {
      await proxy.stop();
      await pg.stop();
    },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function fail(message: string): never {
  console.error(`admin-key: ${message}\n\n${USAGE}`);
  process.exit(2);
}

main().catch((err) => {
  console.error(`admin-key failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
