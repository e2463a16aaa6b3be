import { z } from "@hono/zod-openapi";
import type { apiKeys } from "@tether/schema/tables";
import { iso } from "./common.ts";

export const ApiKey = z
  .object({
    id: z.uuid(),
    name: z.string(),
    scopes: z.array(z.enum(["admin", "read"])),
    key_hint: z.string().openapi({ description: "Prefix and first characters of the key" }),
    created_at: z.string(),
    expires_at: z.string().nullable(),
    last_used_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
  })
  .openapi("ApiKey");

export function toApiKey(row: typeof apiKeys.$inferSelect): z.infer<typeof ApiKey> {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes as ("admin" | "read")[],
    key_hint: row.keyHint,
    created_at: row.createdAt.toISOString(),
    expires_at: iso(row.expiresAt),
    last_used_at: iso(row.lastUsedAt),
    revoked_at: iso(row.revokedAt),
  };
}
