import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { count } from "drizzle-orm";
import { orgs } from "@tether/schema/tables";
import { createOrgWithAdminKey } from "../worker/src/services/orgs.ts";
import { cryptoRandom } from "../worker/src/services/tokens.ts";
import { type EmbeddedPostgres, startEmbeddedPostgres } from "./embedded-postgres.ts";
import { loadOrCreateSecrets, writeEnvFile } from "./local-secrets.ts";
import { applyMigrations } from "./migrate.ts";
import { openDatabase } from "./node-database.ts";
import { startWsProxy, type WsProxy } from "./ws-proxy.ts";

/**
 * `npm start`: the whole control plane on this machine. Embedded Postgres
 * (PGlite, data under TETHER_DATA_DIR) unless DATABASE_URL is given, the
 * WebSocket proxy, migrations, `wrangler dev` on 127.0.0.1, and a first admin
 * key on the first run. Ctrl-C stops everything it started.
 */
const ROOT = fileURLToPath(new URL("..", import.meta.url));

interface Settings {
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
}

function readSettings(): Settings {
  const port = Number(process.env.TETHER_PORT ?? 8787);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(
      `TETHER_PORT must be a port number (1-65535), got "${process.env.TETHER_PORT}"`,
    );
  }
  const url = process.env.DATABASE_URL;
  if (url !== undefined && !/^postgres(ql)?:\/\//.test(url)) {
    throw new Error("DATABASE_URL must be a postgres:// connection string");
  }
  return { port, dataDir: resolve(ROOT, process.env.TETHER_DATA_DIR ?? ".data"), databaseUrl: url };
}

const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const settings = readSettings();
  mkdirSync(settings.dataDir, { recursive: true, mode: 0o700 });
  const lock = takeLock(settings.dataDir);
  const stops: (() => Promise<void> | void)[] = [() => rmSync(lock, { force: true })];
  let wrangler: ChildProcess | undefined;
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    if (wrangler?.pid) killGroup(wrangler.pid);
    for (const stop of stops.reverse()) await Promise.resolve(stop()).catch(() => {});
    process.exit(code);
  };
  process.on("SIGINT", () => void stopAll(0));
  process.on("SIGTERM", () => void stopAll(0));

  try {
    let pg: EmbeddedPostgres | undefined;
    let databaseUrl = settings.databaseUrl;
    if (!databaseUrl) {
      say(`starting embedded Postgres (PGlite), data in ${join(settings.dataDir, "pglite")}`);
      pg = await startEmbeddedPostgres({ dataDir: join(settings.dataDir, "pglite") });
      stops.push(() => pg?.stop());
      databaseUrl = pg.url;
    } else {
      say("using the Postgres at DATABASE_URL");
    }
    const loopback = ["127.0.0.1", "localhost", "::1", "[::1]"].includes(
      new URL(databaseUrl).hostname,
    );
    let proxy: WsProxy | undefined;
    if (loopback) {
      proxy = await startWsProxy();
      stops.push(() => proxy?.stop());
    }
    await applyMigrations(databaseUrl, proxy?.address);
    say("database migrated");

    const firstKey = await ensureFirstOrg(databaseUrl, proxy?.address);
    const secrets = loadOrCreateSecrets(settings.dataDir);
    const envFile = join(settings.dataDir, "worker.env");
    writeEnvFile(envFile, {
      DATABASE_URL: databaseUrl,
      ...(proxy ? { DB_WS_PROXY: proxy.address } : {}),
      ...secrets,
    });

    wrangler = spawn(
      process.execPath,
      [
        join(ROOT, "node_modules/wrangler/bin/wrangler.js"),
        "dev",
        "--ip",
        "127.0.0.1",
        "--port",
        String(settings.port),
        "--env-file",
        envFile,
        "--persist-to",
        join(settings.dataDir, "wrangler"),
        "--show-interactive-dev-session=false",
      ],
      {
        cwd: ROOT,
        detached: true, // its own process group, stopped as a group
        stdio: ["ignore", "pipe", "pipe"],
        env: {
          ...process.env,
          CLOUDFLARE_CF_FETCH_ENABLED: "false",
          WRANGLER_SEND_METRICS: "false",
        },
      },
    );
    const log = collectOutput(wrangler);
    wrangler.on("exit", (code) => {
      if (!stopping) {
        process.stderr.write(`wrangler dev exited (code ${code}); its last output:\n${log()}\n`);
        void stopAll(1);
      }
    });

    const url = `http://127.0.0.1:${settings.port}`;
    await waitForHealthy(url, 120_000, log);
    say("");
    say(`tether control plane is up: ${url}`);
    say(`  health:  ${url}/healthz`);
    say(`  API:     ${url}/openapi.json`);
    if (firstKey) {
      say("");
      say("First admin key (shown once; only its hash is stored):");
      say(`  ${firstKey}`);
      say(`  try: curl -H "Authorization: Bearer $TETHER_ADMIN_KEY" ${url}/api/keys`);
    } else {
      say(
        "  admin key: printed on the first run; make another with `npm run admin-key -- --org <org id>`",
      );
    }
    say("");
    say("Ctrl-C stops the control plane (data is kept).");
  } catch (err) {
    process.stderr.write(`npm start failed: ${err instanceof Error ? err.message : String(err)}\n`);
    await stopAll(1);
  }
}

/** Creates the first org and admin key when the database has none; returns the key. */
async function ensureFirstOrg(url: string, proxy?: string): Promise<string | undefined> {
  const { db, close } = openDatabase(url, proxy);
  try {
    const [row] = await db.select({ n: count() }).from(orgs);
    if ((row?.n ?? 0) > 0) return undefined;
    const created = await createOrgWithAdminKey(db, {
      name: "default",
      now: new Date(),
      random: cryptoRandom,
      onlyIfNoOrg: true,
      actor: "system",
    });
    return created?.key;
  } finally {
    await close();
  }
}

/** One control plane per data dir: PGlite must not be opened twice. */
function takeLock(dataDir: string): string {
  const file = join(dataDir, "start.pid");
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, "utf8"));
    if (pid && isAlive(pid)) {
      throw new Error(`another tether control plane (pid ${pid}) is running on ${dataDir}`);
    }
  }
  writeFileSync(file, String(process.pid));
  return file;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    // Already gone.
  }
}

function collectOutput(child: ChildProcess): () => string {
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split("\n"));
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return () => lines.join("\n");
}

async function waitForHealthy(url: string, timeoutMs: number, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.status === 200) return;
      last = `GET /healthz answered ${res.status}: ${await res.text()}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(
    `the Worker did not become healthy within ${timeoutMs / 1000}s (${last})\n${log()}`,
  );
}

void main();
