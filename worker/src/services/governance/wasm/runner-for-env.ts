import type { Env } from "../../../env.ts";
import { ApiError } from "../../../errors.ts";
import { loaderRunner, type WasmRunner } from "./runner.ts";

/** The date the Dynamic Workers that evaluate policies run at (the Worker's own, wrangler.toml). */
const EVALUATOR_COMPATIBILITY_DATE = "2026-04-20";

/** The real runner when the loader is bound; otherwise one that names the missing binding. */
export function wasmRunnerFor(env: Env): WasmRunner {
  if (env.LOADER) return loaderRunner(env.LOADER, EVALUATOR_COMPATIBILITY_DATE);
  const missing = async (): Promise<never> => {
    throw new ApiError(
      "config_invalid",
      "Wasm policies need the Worker Loader binding LOADER (wrangler.toml [[worker_loaders]])",
      [{ path: "env.LOADER", message: "not bound" }],
    );
  };
  return { describe: missing, evaluate: missing };
}
