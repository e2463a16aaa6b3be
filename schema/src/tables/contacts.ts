import { pgTable, text } from "drizzle-orm/pg-core";
import { createdAt, id, orgId, updatedAt } from "./columns.ts";

/** ADR 005 (KERI identity): known remote identifiers and their aliases. */
export const contacts = pgTable("contacts", {
  id: id(),
  orgId: orgId(),
  aid: text("aid").notNull(),
  alias: text("alias").notNull(),
  oobi: text("oobi"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});
