import { boolean, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, orgId, updatedAt } from "./columns.ts";
import { nodes } from "./nodes.ts";

/** ADR 005: connectivity settings of a data plane (tunnel kind and its config). */
export const tunnelConfigs = pgTable("tunnel_configs", {
  id: id(),
  orgId: orgId(),
  nodeId: uuid("node_id").references(() => nodes.id, { onDelete: "cascade" }),
  name: text("name").notNull(),
  kind: text("kind").notNull(),
  config: jsonb("config").$type<Record<string, unknown>>().notNull().default({}),
  enabled: boolean("enabled").notNull().default(true),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});
