import { boolean, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { apps } from "./apps.ts";
import { createdAt, id, orgId, updatedAt } from "./columns.ts";

/** ADR 005's legacy governance policies (pre-Rego JSON rules), kept for import. */
export const policies = pgTable("policies", {
  id: id(),
  orgId: orgId(),
  appId: uuid("app_id").references(() => apps.id, { onDelete: "cascade" }),
  name: text("name").notNull(),
  description: text("description").notNull().default(""),
  rules: jsonb("rules").$type<unknown[]>().notNull().default([]),
  enabled: boolean("enabled").notNull().default(true),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});
