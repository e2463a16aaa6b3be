import { boolean, integer, pgTable, text } from "drizzle-orm/pg-core";
import { telemetryColumns, telemetryIndexes } from "./telemetry-columns.ts";

/** Filesystem operation traces (ADR 005's `file_events`). */
export const fileAccessEvents = pgTable(
  "file_access_events",
  {
    ...telemetryColumns(),
    path: text("path").notNull(),
    operation: text("operation", {
      enum: ["read", "write", "open", "create", "delete", "rename", "chmod", "exec"],
    }).notNull(),
    pid: integer("pid").notNull(),
    comm: text("comm").notNull(),
    success: boolean("success").notNull(),
  },
  (t) => telemetryIndexes("file_access_events", t),
);
