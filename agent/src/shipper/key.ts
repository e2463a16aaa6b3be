import { readFileSync, statSync } from "node:fs";
import { ConfigError } from "../config/load.ts";
import type { TelemetryConfig } from "../config/telemetry.ts";
import type { Logger } from "../log.ts";

const INGEST_KEY = /^tk_ingest_[A-Za-z0-9_-]{16,}$/;

/**
 * The ingest key: `TETHER_INGEST_KEY`, else the contents of
 * `ingest_key_file` (whose mode should be 0600; a warning otherwise). Never
 * a flag, never logged.
 */
export function loadIngestKey(
  config: TelemetryConfig,
  env: Record<string, string | undefined>,
  log: Logger,
): string {
  let key = env.TETHER_INGEST_KEY?.trim();
  let from = "TETHER_INGEST_KEY";
  if (!key && config.ingest_key_file) {
    from = config.ingest_key_file;
    try {
      key = readFileSync(config.ingest_key_file, "utf8").trim();
      const mode = statSync(config.ingest_key_file).mode & 0o077;
      if (mode !== 0)
        log.warn("the ingest key file is readable by group or others; chmod 600 it", {
          file: config.ingest_key_file,
        });
    } catch (err) {
      throw new ConfigError(
        `config: telemetry.ingest_key_file: cannot read ${config.ingest_key_file}: ${(err as Error).message}`,
      );
    }
  }
  if (!key)
    throw new ConfigError(
      "config: telemetry: needs an ingest key: TETHER_INGEST_KEY or telemetry.ingest_key_file",
    );
  if (!INGEST_KEY.test(key))
    throw new ConfigError(`config: telemetry: the ingest key from ${from} is not a tk_ingest_ key`);
  return key;
}
