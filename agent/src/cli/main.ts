import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../config/load.ts";
import { SETTING_KINDS } from "../config/schema.ts";
import { CredentialRefused } from "../daemon/ports.ts";
import { teardownKernel } from "../daemon/teardown.ts";
import { createExecRunner } from "../sys/exec-runner.ts";
import { join } from "./join.ts";
import { runDaemon } from "./run.ts";
import { statusText } from "./status.ts";

const USAGE = `usage: tether-agent <command> [flags]

  join --server URL [--token T] [--name N] [--endpoint HOST:PORT] [--data-dir DIR] [--force]
        Enroll this machine. The token may instead come from TETHER_TOKEN or stdin
        (--token - or no --token with stdin not a terminal), which keeps it out of argv.
  run   [--config FILE (default /etc/tether/agent.json when present)] [--<setting> VALUE …]
        The daemon. Settings: ${Object.keys(SETTING_KINDS)
          .map((k) => `--${k.replaceAll("_", "-")}`)
          .join(", ")}; also TETHER_<SETTING> env vars and a JSON config file.
  status [--data-dir DIR] [--json]
  down  [--data-dir DIR] [--interface IF]   Remove the nft table and the interface.
`;

/**
 * The `tether-agent` command line. Returns the exit code.
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2));
 */
export async function main(argv: string[], env = process.env): Promise<number> {
  const [command, ...rest] = argv;
  const settingFlags = Object.fromEntries(
    Object.keys(SETTING_KINDS).map((k) => [k.replaceAll("_", "-"), { type: "string" as const }]),
  );
  try {
    const { values } = parseArgs({
      args: rest,
      options: {
        ...settingFlags,
        config: { type: "string" },
        token: { type: "string" },
        name: { type: "string" },
        hostname: { type: "string" },
        endpoint: { type: "string" },
        force: { type: "boolean" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    });
    if (values.help || !command || command === "help") {
      process.stdout.write(USAGE);
      return command ? 0 : 2;
    }
    const flags: Record<string, string | undefined> = {};
    for (const k of Object.keys(SETTING_KINDS))
      flags[k] = (values as Record<string, unknown>)[k.replaceAll("_", "-")] as string | undefined;
    const file = values.config ?? env.TETHER_CONFIG ?? defaultConfigFile();
    const sources = { env, flags, ...(file ? { file } : {}) };
    switch (command) {
      case "join": {
        const config = loadConfig(sources);
        if (!config.server)
          throw new ConfigError("config: server: join needs --server URL (or TETHER_SERVER)");
        const token = readToken(values.token, env);
        const joined = await join({
          server: config.server,
          token,
          dataDir: config.data_dir,
          ...(values.name ? { name: values.name } : {}),
          ...(values.hostname ? { hostname: values.hostname } : {}),
          ...(values.endpoint ? { endpoint: values.endpoint } : {}),
          ...(values.force ? { force: true } : {}),
        });
        process.stdout.write(`${JSON.stringify({ joined: true, ...joined })}\n`);
        return 0;
      }
      case "run":
        return await runDaemon(sources);
      case "status": {
        const { text, code } = statusText(loadConfig(sources).data_dir, values.json ?? false);
        process.stdout.write(`${text}\n`);
        return code;
      }
      case "down": {
        const config = loadConfig(sources);
        const runner = createExecRunner(config.netns ? { netns: config.netns } : {});
        const errors = await teardownKernel(runner, config.interface);
        for (const e of errors) process.stderr.write(`${e}\n`);
        if (errors.length === 0)
          process.stdout.write(`removed table inet tether and ${config.interface}\n`);
        return errors.length === 0 ? 0 : 1;
      }
      default:
        process.stderr.write(`tether-agent: unknown command ${JSON.stringify(command)}\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof ConfigError || err instanceof CredentialRefused) {
      process.stderr.write(`tether-agent: ${err.message}\n`);
      return 2;
    }
    if (
      err instanceof TypeError &&
      "code" in err &&
      String(err.code).startsWith("ERR_PARSE_ARGS")
    ) {
      process.stderr.write(`tether-agent: ${err.message}\n${USAGE}`);
      return 2;
    }
    process.stderr.write(`tether-agent: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

/** The system-wide config file, when there is one. */
export const DEFAULT_CONFIG_FILE = "/etc/tether/agent.json";
function defaultConfigFile(): string | undefined {
  return existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined;
}

/** --token, else TETHER_TOKEN, else stdin (`--token -`, or no token and stdin is not a terminal). */
function readToken(flag: string | undefined, env: Record<string, string | undefined>): string {
  let token = flag === "-" ? undefined : (flag ?? env.TETHER_TOKEN);
  if (!token && (flag === "-" || !process.stdin.isTTY)) token = readFileSync(0, "utf8").trim();
  if (!token)
    throw new ConfigError("config: token: join needs --token, TETHER_TOKEN or the token on stdin");
  return token;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
