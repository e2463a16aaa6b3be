import { index, integer, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { at, createdAt, id, orgId } from "./columns.ts";

/**
 * Admin keys (`tk_admin_…`, scopes `admin`/`read`) and ingest keys
 * (`tk_ingest_…`, bound to apps). Only the SHA-256 of a key is stored.
 */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: id(),
    orgId: orgId(),
    kind: text("kind", { enum: ["admin", "ingest"] }).notNull(),
    name: text("name").notNull(),
    /** Hex SHA-256 of the whole key. */
    keyHash: text("key_hash").notNull().unique(),
    /** The visible prefix and first characters, to tell keys apart in listings. */
    keyHint: text("key_hint").notNull(),
    scopes: jsonb("scopes").$type<string[]>().notNull().default([]),
    /** Ingest keys: the app ids (apps.id) the key may write for. */
    appIds: jsonb("app_ids").$type<string[]>().notNull().default([]),
    /** Ingest keys: requests per minute; null means the default. */
    rateLimitPerMinute: integer("rate_limit_per_minute"),
    createdBy: uuid("created_by"),
    createdAt: createdAt(),
    lastUsedAt: at("last_used_at"),
    expiresAt: at("expires_at"),
    revokedAt: at("revoked_at"),
  },
  (t) => [index("api_keys_org_idx").on(t.orgId, t.kind)],
);
