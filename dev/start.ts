import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type ControlPlane, startControlPlane } from "./control-plane.ts";

/**
 * `npm start`: the whole control plane on this machine. Embedded Postgres
 * (PGlite, data under TETHER_DATA_DIR) unless DATABASE_URL is given, the
 * WebSocket bridge, migrations, `wrangler dev` on 127.0.0.1, and a first
 * admin key on the first run. Ctrl-C stops everything it started.
 */
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const say = (line: string) => process.stdout.write(`${line}\n`);

function readSettings(): { port: number; dataDir: string; databaseUrl: string | undefined } {
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

async function main(): Promise<void> {
  let plane: ControlPlane | undefined;
  let lock: string | undefined;
  const shutdown = async (code: number) => {
    await plane?.stop();
    if (lock) rmSync(lock, { force: true });
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));
  try {
    const settings = readSettings();
    mkdirSync(settings.dataDir, { recursive: true, mode: 0o700 });
    lock = takeLock(settings.dataDir);
    plane = await startControlPlane({
      port: settings.port,
      dataDir: settings.dataDir,
      ...(settings.databaseUrl ? { databaseUrl: settings.databaseUrl } : {}),
      log: say,
    });
    plane.onExit((code, output) => {
      process.stderr.write(`wrangler dev exited (code ${code}); its last output:\n${output}\n`);
      void shutdown(1);
    });
    const url = plane.url;
    say("");
    say(`tether control plane is up: ${url}`);
    say(`  health:  ${url}/healthz`);
    say(`  API:     ${url}/openapi.json`);
    if (plane.firstAdminKey) {
      say("");
      say("First admin key (shown once; only its hash is stored):");
      say(`  ${plane.firstAdminKey}`);
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
    await shutdown(1);
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

void main();
