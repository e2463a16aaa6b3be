import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Secrets of the local control plane, made on first start and kept (0600)
 * under the data dir so a restart can still decrypt what they protect.
 */
export interface LocalSecrets {
  SIGNING_KEY_SECRET: string;
}

export function loadOrCreateSecrets(dataDir: string): LocalSecrets {
  const file = join(dataDir, "secrets.json");
  if (existsSync(file)) {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as Partial<LocalSecrets>;
    if (typeof parsed.SIGNING_KEY_SECRET === "string" && parsed.SIGNING_KEY_SECRET.length >= 32) {
      return { SIGNING_KEY_SECRET: parsed.SIGNING_KEY_SECRET };
    }
    throw new Error(
      `${file} is damaged: SIGNING_KEY_SECRET is missing or shorter than 32 characters`,
    );
  }
  const secrets = { SIGNING_KEY_SECRET: randomBytes(32).toString("base64url") };
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}

/** Writes a dotenv file only the owner can read (secrets never go in argv). */
export function writeEnvFile(file: string, vars: Record<string, string>): void {
  const body = Object.entries(vars)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join("\n");
  writeFileSync(file, `${body}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}
