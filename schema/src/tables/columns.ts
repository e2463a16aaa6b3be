import { timestamp, uuid } from "drizzle-orm/pg-core";
import { orgs } from "./orgs.ts";

/** Columns every tenant table starts with. */
export const id = () => uuid("id").primaryKey().defaultRandom();
export const orgId = () =>
  uuid("org_id")
    .notNull()
    .references(() => orgs.id, { onDelete: "cascade" });
export const createdAt = () =>
  timestamp("created_at", { withTimezone: true }).notNull().defaultNow();
export const updatedAt = () =>
  timestamp("updated_at", { withTimezone: true }).notNull().defaultNow();
export const at = (name: string) => timestamp(name, { withTimezone: true });
