import { bigint, index, text, timestamp, uuid } from "drizzle-orm/pg-core";
import type { PgColumn } from "drizzle-orm/pg-core";
import { apps } from "./apps.ts";
import { orgId } from "./columns.ts";

/** Columns shared by the three telemetry tables (ADR 005's event kinds). */
export const telemetryColumns = () => ({
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  orgId: orgId(),
  appId: uuid("app_id")
    .notNull()
    .references(() => apps.id, { onDelete: "cascade" }),
  /** The node the batch came from, when an agent shipped it. */
  nodeId: uuid("node_id"),
  batchId: text("batch_id").notNull(),
  /** When the event happened, as the probe reported it. */
  timestamp: timestamp("timestamp", { withTimezone: true }).notNull(),
});

/** Time-series tables are read by (org, app, time). */
export const telemetryIndexes = (
  name: string,
  t: { orgId: PgColumn; appId: PgColumn; timestamp: PgColumn },
) => [
  index(`${name}_org_app_time_idx`).on(t.orgId, t.appId, t.timestamp),
  index(`${name}_org_time_idx`).on(t.orgId, t.timestamp),
];
