import { env, SELF } from "cloudflare:test";
import { apiKeys } from "@tether/schema/tables";
import { createDatabase } from "../src/services/db.ts";
import { createOrgWithAdminKey } from "../src/services/orgs.ts";
import { cryptoRandom, generateToken, hashToken, tokenHint } from "../src/services/tokens.ts";

/** An org of its own for one test, with an admin-scoped and a read-scoped key. */
export interface TestOrg {
  orgId: string;
  adminKey: string;
  adminKeyId: string;
  readKey: string;
  readKeyId: string;
}

export function testDatabase() {
  return createDatabase(env as unknown as { DATABASE_URL: string; DB_WS_PROXY: string });
}

export async function newOrg(name = "test org"): Promise<TestOrg> {
  const { db, close } = testDatabase();
  try {
    const created = await createOrgWithAdminKey(db, {
      name,
      now: new Date(),
      random: cryptoRandom,
      actor: "system",
    });
    const readKey = generateToken("admin", cryptoRandom);
    const [row] = await db
      .insert(apiKeys)
      .values({
        orgId: created!.orgId,
        kind: "admin",
        name: "read-only",
        keyHash: await hashToken(readKey),
        keyHint: tokenHint(readKey),
        scopes: ["read"],
      })
      .returning();
    return {
      orgId: created!.orgId,
      adminKey: created!.key,
      adminKeyId: created!.keyId,
      readKey,
      readKeyId: row!.id,
    };
  } finally {
    await close();
  }
}

/** A request to the Worker as deployed (SELF), JSON in and out. */
export async function api(
  method: string,
  path: string,
  opts: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies of many shapes
): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  let body: string | null = null;
  if (opts.body !== undefined) {
    body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await SELF.fetch(`http://tether.test${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON: the test sees the text.
  }
  return { status: res.status, body: parsed, headers: res.headers };
}
