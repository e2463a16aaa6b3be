import { jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { at, createdAt, id, orgId } from "./columns.ts";

/** ADR 005 (KERI identity): verifiable credentials issued or held. */
export const credentials = pgTable("credentials", {
  id: id(),
  orgId: orgId(),
  /** Self-addressing identifier of the credential. */
  said: text("said").notNull(),
  schema: text("schema").notNull(),
  issuer: text("issuer").notNull(),
  subject: text("subject"),
  data: jsonb("data").$type<Record<string, unknown>>().notNull().default({}),
  status: text("status", { enum: ["issued", "revoked"] })
    .notNull()
    .default("issued"),
  createdAt: createdAt(),
  revokedAt: at("revoked_at"),
});
