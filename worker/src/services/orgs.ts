import { sql } from "drizzle-orm";
import { apiKeys, orgs } from "@tether/schema/tables";
import { writeAudit } from "./audit.ts";
import type { Database } from "./db.ts";
import { generateToken, hashToken, tokenHint } from "./tokens.ts";

export interface NewOrg {
  orgId: string;
  orgName: string;
  keyId: string;
  /** The admin key itself: shown once, never stored. */
  key: string;
}

/**
 * Creates an org with its first admin key (scope `admin`). With
 * `onlyIfNoOrg`, does nothing and returns null when any org exists: the
 * first-install path, safe against two concurrent callers.
 */
export async function createOrgWithAdminKey(
  db: Database,
  opts: {
    name: string;
    now: Date;
    random: (n: number) => Uint8Array;
    onlyIfNoOrg?: boolean;
    actor: "system";
  },
): Promise<NewOrg | null> {
  const key = generateToken("admin", opts.random);
  const keyHash = await hashToken(key);
  return db.transaction(async (tx) => {
    if (opts.onlyIfNoOrg) {
      // One bootstrap at a time, across connections.
      await tx.execute(sql`select pg_advisory_xact_lock(7428113)`);
      const existing = await tx.select({ id: orgs.id }).from(orgs).limit(1);
      if (existing.length > 0) return null;
    }
    const [org] = await tx
      .insert(orgs)
      .values({ name: opts.name, createdAt: opts.now })
      .returning();
    const [row] = await tx
      .insert(apiKeys)
      .values({
        orgId: org!.id,
        kind: "admin",
        name: "first admin key",
        keyHash,
        keyHint: tokenHint(key),
        scopes: ["admin"],
        createdAt: opts.now,
      })
      .returning();
    await writeAudit(tx, {
      orgId: org!.id,
      actorType: opts.actor,
      actorId: null,
      action: "org.create",
      targetType: "org",
      targetId: org!.id,
      before: null,
      after: { id: org!.id, name: org!.name, first_key_id: row!.id },
      requestId: null,
      at: opts.now,
    });
    return { orgId: org!.id, orgName: org!.name, keyId: row!.id, key };
  });
}
