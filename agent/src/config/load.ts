import { readFileSync } from "node:fs";
import { type AgentConfig, AgentConfigSchema, SETTING_KINDS } from "./schema.ts";

/** A setting that cannot be used; the message names it (`config: interface: must be …`). */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

export interface ConfigSources {
  /** Path of a JSON config file (also `TETHER_CONFIG`); a missing file is an error only when named. */
  file?: string;
  env?: Record<string, string | undefined>;
  /** Flag values by setting name (`data_dir`), as strings or already typed. */
  flags?: Record<string, string | boolean | undefined>;
}

/**
 * Merges defaults < config file < `TETHER_*` env < flags and validates the result.
 *
 * @example
 * const config = loadConfig({ env: process.env, flags: { interface: "tether1" } });
 * config.reconcile_interval; // 30
 */
export function loadConfig(sources: ConfigSources = {}): AgentConfig {
  const env = sources.env ?? {};
  const origin = new Map<string, string>();
  const merged: Record<string, unknown> = {};

  const file = sources.file ?? env.TETHER_CONFIG;
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      throw new ConfigError(`config: cannot read ${file}: ${(err as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new ConfigError(`config: ${file} is not valid JSON: ${(err as Error).message}`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new ConfigError(`config: ${file} must hold a JSON object`);
    }
    for (const [k, v] of Object.entries(parsed)) {
      merged[k] = v;
      origin.set(k, file);
    }
  }
  for (const name of Object.keys(SETTING_KINDS) as (keyof AgentConfig)[]) {
    const envName = `TETHER_${name.toUpperCase()}`;
    const value = env[envName];
    if (value !== undefined && value !== "") {
      merged[name] = coerce(name, value, envName);
      origin.set(name, envName);
    }
  }
  for (const [name, value] of Object.entries(sources.flags ?? {})) {
    if (value === undefined) continue;
    merged[name] =
      typeof value === "string" ? coerce(name, value, `--${name.replaceAll("_", "-")}`) : value;
    origin.set(name, `--${name.replaceAll("_", "-")}`);
  }

  const result = AgentConfigSchema.safeParse(merged);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const name = issue.path.join(".");
  if (issue.code === "unrecognized_keys") {
    const keys = (issue as { keys: string[] }).keys;
    throw new ConfigError(
      `config: ${keys.join(", ")}: unknown setting${keys.length > 1 ? "s" : ""}${file ? ` (in ${file})` : ""}; known: ${Object.keys(SETTING_KINDS).join(", ")}`,
    );
  }
  const from = origin.get(String(issue.path[0]));
  throw new ConfigError(`config: ${name}: ${issue.message}${from ? ` (from ${from})` : ""}`);
}

function coerce(name: string, value: string, from: string): unknown {
  const kind = SETTING_KINDS[name as keyof AgentConfig];
  if (kind === "json") {
    try {
      return JSON.parse(value);
    } catch (err) {
      throw new ConfigError(
        `config: ${name}: must be JSON (${(err as Error).message}) (from ${from})`,
      );
    }
  }
  if (kind === "number" && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  if (kind === "boolean") {
    const v = value.trim().toLowerCase();
    if (["true", "1", "yes", "on"].includes(v)) return true;
    if (["false", "0", "no", "off"].includes(v)) return false;
  }
  return value;
}
