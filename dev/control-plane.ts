import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { orgs } from "@tether/schema/tables";
import { count } from "drizzle-orm";
import { createOrgWithAdminKey } from "../worker/src/services/orgs.ts";
import { cryptoRandom } from "../worker/src/services/tokens.ts";
import { type EmbeddedPostgres, startEmbeddedPostgres } from "./embedded-postgres.ts";
import { loadOrCreateSecrets, writeEnvFile } from "./local-secrets.ts";
import { applyMigrations } from "./migrate.ts";
import { openDatabase } from "./node-database.ts";
import { startWsProxy, type WsProxy } from "./ws-proxy.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

export interface ControlPlaneOptions {
  port: number;
  /** Where the embedded database, secrets and DO state live; omit for a throwaway temp dir. */
  dataDir?: string;
  /** Use this Postgres instead of the embedded one. */
  databaseUrl?: string;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface ControlPlane {
  url: string;
  /** The first admin key, when this start created the first org. */
  firstAdminKey: string | undefined;
  databaseUrl: string;
  dbWsProxy: string | undefined;
  /** Called when wrangler dev dies on its own. */
  onExit(fn: (code: number | null, output: string) => void): void;
  stop(): Promise<void>;
}

/**
 * The whole local control plane: Postgres (embedded PGlite unless a URL is
 * given), the WebSocket bridge, migrations, the first org, and `wrangler dev`
 * on 127.0.0.1, healthy before this resolves. Used by `npm start`, the
 * benches and the agent's namespace tests.
 */
export async function startControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  const log = opts.log ?? (() => {});
  const tempDir = opts.dataDir ? undefined : await mkdtemp(join(tmpdir(), "tether-cp-"));
  const dataDir = opts.dataDir ?? tempDir!;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const stops: (() => Promise<void> | void)[] = [];
  if (tempDir) stops.push(() => rm(tempDir, { recursive: true, force: true }));
  let wrangler: ChildProcess | undefined;
  let stopping = false;
  const exitHandlers: ((code: number | null, output: string) => void)[] = [];
  const stop = async () => {
    stopping = true;
    if (wrangler?.pid) await stopGroup(wrangler);
    for (const s of stops.reverse()) await Promise.resolve(s()).catch(() => {});
  };

  try {
    let pg: EmbeddedPostgres | undefined;
    let databaseUrl = opts.databaseUrl;
    if (!databaseUrl) {
      log(`starting embedded Postgres (PGlite), data in ${join(dataDir, "pglite")}`);
      pg = await startEmbeddedPostgres({ dataDir: join(dataDir, "pglite") });
      stops.push(() => pg?.stop());
      databaseUrl = pg.url;
    } else {
      log("using the Postgres at DATABASE_URL");
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
    log("database migrated");
    const firstAdminKey = await ensureFirstOrg(databaseUrl, proxy?.address);

    const envFile = join(dataDir, "worker.env");
    writeEnvFile(envFile, {
      DATABASE_URL: databaseUrl,
      ...(proxy ? { DB_WS_PROXY: proxy.address } : {}),
      ...loadOrCreateSecrets(dataDir),
    });
    wrangler = spawn(
      process.execPath,
      [
        join(ROOT, "node_modules/wrangler/bin/wrangler.js"),
        "dev",
        "--ip",
        "127.0.0.1",
        "--port",
        String(opts.port),
        "--env-file",
        envFile,
        "--persist-to",
        join(dataDir, "wrangler"),
        // Its own devtools port: the default 9229 is taken by any other wrangler dev on the machine.
        "--inspector-port",
        String(await freePort()),
        "--show-interactive-dev-session=false",
        "--log-level",
        "warn",
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
    const output = collectOutput(wrangler);
    // A caller that dies without stop() (an uncaught error) must not leave
    // wrangler and workerd behind: kill the group as this process exits.
    const group = wrangler.pid;
    const killGroup = () => {
      try {
        if (group) process.kill(-group, "SIGKILL");
      } catch {
        // Already gone.
      }
    };
    process.once("exit", killGroup);
    wrangler.once("exit", () => process.off("exit", killGroup));
    wrangler.on("exit", (code) => {
      if (!stopping) for (const fn of exitHandlers) fn(code, output());
    });
    const url = `http://127.0.0.1:${opts.port}`;
    await waitForHealthy(url, 120_000, output);
    return {
      url,
      firstAdminKey,
      databaseUrl,
      dbWsProxy: proxy?.address,
      onExit: (fn) => exitHandlers.push(fn),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
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

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || !child.pid) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // Gone.
    }
  }, 5000);
  await exited;
  clearTimeout(timer);
}

function collectOutput(child: ChildProcess): () => string {
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split("\n"));
    if (lines.length > 60) lines.splice(0, lines.length - 60);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return () => lines.join("\n");
}

async function waitForHealthy(url: string, timeoutMs: number, output: () => string): Promise<void> {
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
    `the Worker did not become healthy within ${timeoutMs / 1000}s (${last})\n${output()}`,
  );
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}
