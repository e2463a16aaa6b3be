import { pgTable, text } from "drizzle-orm/pg-core";
import { createdAt, id, orgId } from "./columns.ts";

/** ADR 005 (KERI identity): out-of-band introductions resolved for an identifier. */
export const oobiRecords = pgTable("oobi_records", {
  id: id(),
  orgId: orgId(),
  /** The autonomic identifier (AID) the OOBI introduces. */
  aid: text("aid").notNull(),
  url: text("url").notNull(),
  role: text("role").notNull().default("controller"),
  createdAt: createdAt(),
});
