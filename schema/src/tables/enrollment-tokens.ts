import { boolean, index, integer, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { at, createdAt, id, orgId } from "./columns.ts";

/** Tokens (`tk_enroll_…`) a machine presents once to join the mesh. */
export const enrollmentTokens = pgTable(
  "enrollment_tokens",
  {
    id: id(),
    orgId: orgId(),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    tokenHint: text("token_hint").notNull(),
    /** false: the token is spent by its first registration. */
    reusable: boolean("reusable").notNull().default(false),
    /** Reusable tokens: an optional cap on registrations. */
    maxUses: integer("max_uses"),
    uses: integer("uses").notNull().default(0),
    /** Groups given to every node that enrolls with this token. */
    groups: jsonb("groups").$type<string[]>().notNull().default([]),
    expiresAt: at("expires_at").notNull(),
    createdBy: uuid("created_by"),
    createdAt: createdAt(),
    revokedAt: at("revoked_at"),
  },
  (t) => [index("enrollment_tokens_org_idx").on(t.orgId)],
);
