import { execFile } from "node:child_process";
import type { RunOptions, RunResult, Runner } from "./runner.ts";

/**
 * The only place the agent starts processes. Commands get argument arrays
 * (no shell); secrets and rulesets travel on stdin.
 */
export interface ExecRunnerOptions {
  /** Largest stdout/stderr kept per command (default 256 MiB: `nft -j` of 10k set elements is a few MiB). */
  maxBuffer?: number;
  /** Default timeout in milliseconds (default 30 s). */
  timeoutMs?: number;
  /**
   * Run every command inside this network namespace (`ip netns exec <ns> …`).
   * The namespace tests use it to drive one agent per namespace from the host.
   */
  netns?: string;
}

/** Exit code reported when the command could not be started at all (as a shell would). */
export const NOT_FOUND = 127;
/** Exit code reported when the command was killed by the timeout (as `timeout(1)` does). */
export const TIMED_OUT = 124;

/**
 * A {@link Runner} backed by `execFile`.
 *
 * @example
 * const runner = createExecRunner();
 * const { stdout } = await runner.run("nft", ["-j", "list", "table", "inet", "tether"]);
 */
export function createExecRunner(options: ExecRunnerOptions = {}): Runner {
  const maxBuffer = options.maxBuffer ?? 256 * 1024 * 1024;
  const defaultTimeout = options.timeoutMs ?? 30_000;
  return {
    run(file, args, runOptions: RunOptions = {}) {
      const [cmd, argv] = options.netns
        ? ["ip", ["netns", "exec", options.netns, file, ...args]]
        : [file, [...args]];
      return new Promise<RunResult>((resolve) => {
        const child = execFile(
          cmd,
          argv,
          {
            maxBuffer,
            timeout: runOptions.timeoutMs ?? defaultTimeout,
            killSignal: "SIGKILL",
            encoding: "utf8",
            env: runOptions.env ? { ...process.env, ...runOptions.env } : process.env,
          },
          (error, stdout, stderr) => {
            if (!error) return resolve({ code: 0, stdout, stderr });
            const e = error as NodeJS.ErrnoException & { code?: unknown; killed?: boolean };
            if (e.code === "ENOENT") {
              return resolve({ code: NOT_FOUND, stdout, stderr: `${cmd}: command not found` });
            }
            if (typeof e.code === "number") return resolve({ code: e.code, stdout, stderr });
            if (e.killed) {
              return resolve({ code: TIMED_OUT, stdout, stderr: `${stderr}${cmd}: timed out` });
            }
            resolve({ code: 1, stdout, stderr: stderr || e.message });
          },
        );
        // A command that does not read stdin must not see EPIPE as a failure.
        child.stdin?.on("error", () => {});
        child.stdin?.end(runOptions.stdin ?? "");
      });
    },
  };
}
