/**
 * How the agent runs system commands (`nft`, `wg`, `ip`, `wireguard-go`).
 * Only `exec-runner.ts` imports `node:child_process`; everything else gets a
 * Runner, so tests can pass a fake and nothing builds shell strings.
 */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to the command's standard input (keys and rulesets go here, never in argv). */
  stdin?: string;
  /** Milliseconds before the command is killed (default 30 s). */
  timeoutMs?: number;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

export interface Runner {
  /** Runs `file` with `args` (no shell). Resolves even when the exit code is not 0. */
  run(file: string, args: readonly string[], options?: RunOptions): Promise<RunResult>;
}

/** A command that failed, with what it printed. */
export class CommandError extends Error {
  constructor(
    readonly file: string,
    readonly args: readonly string[],
    readonly result: RunResult,
  ) {
    super(
      `${file} ${args.join(" ")} exited ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`,
    );
    this.name = "CommandError";
  }
}

/** Runs and throws {@link CommandError} on a non-zero exit. */
export async function runChecked(
  runner: Runner,
  file: string,
  args: readonly string[],
  options?: RunOptions,
): Promise<string> {
  const result = await runner.run(file, args, options);
  if (result.code !== 0) throw new CommandError(file, args, result);
  return result.stdout;
}
