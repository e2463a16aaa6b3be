import { z } from "@hono/zod-openapi";
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { apiKeys } from "@tether/schema/tables";
import type { Tx } from "../services/audit.ts";
import { DEFAULT_RATE_LIMIT_PER_MINUTE } from "../services/ingest/key-auth.ts";
import { iso } from "./common.ts";

export const IngestKey = z
  .object({
    id: z.uuid(),
    name: z.string(),
    app_ids: z
      .array(z.uuid())
      .openapi({ description: "The apps (ids) the key may send batches for" }),
    rate_limit_per_minute: z
      .number()
      .int()
      .openapi({
        description: `Requests per minute (default ${DEFAULT_RATE_LIMIT_PER_MINUTE})`,
      }),
    key_hint: z.string().openapi({ description: "Prefix and first characters of the key" }),
    created_at: z.string(),
    expires_at: z.string().nullable(),
    last_used_at: z.string().nullable().openapi({ description: "Updated at most once a minute" }),
    revoked_at: z.string().nullable(),
  })
  .openapi("IngestKey");

type KeyRow = typeof apiKeys.$inferSelect;

export function toIngestKey(row: KeyRow): z.infer<typeof IngestKey> {
  return {
    id: row.id,
    name: row.name,
    app_ids: row.appIds,
    rate_limit_per_minute: row.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE,
    key_hint: row.keyHint,
    created_at: row.createdAt.toISOString(),
    expires_at: iso(row.expiresAt),
    last_used_at: iso(row.lastUsedAt),
    revoked_at: iso(row.revokedAt),
  };
}

/** The org's ingest keys bound to app `appId`, oldest first (active ones unless `includeRevoked`). */
export function keysBoundTo(tx: Tx, orgId: string, appId: string, includeRevoked = false) {
  return tx
    .select()
    .from(apiKeys)
    .where(
      and(
        eq(apiKeys.orgId, orgId),
        eq(apiKeys.kind, "ingest"),
        includeRevoked ? undefined : isNull(apiKeys.revokedAt),
        sql`${apiKeys.appIds} @> ${JSON.stringify([appId])}::jsonb`,
      ),
    )
    .orderBy(asc(apiKeys.createdAt), asc(apiKeys.id));
}
