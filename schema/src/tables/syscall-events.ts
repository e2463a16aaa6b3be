import { bigint, boolean, integer, pgTable, text } from "drizzle-orm/pg-core";
import { telemetryColumns, telemetryIndexes } from "./telemetry-columns.ts";

/** eBPF syscall traces; columns named as the probes emit them (ADR 005). */
export const syscallEvents = pgTable(
  "syscall_events",
  {
    ...telemetryColumns(),
    syscallName: text("syscall_name").notNull(),
    syscallNum: integer("syscall_num"),
    pid: integer("pid").notNull(),
    comm: text("comm").notNull(),
    args: text("args"),
    returnValue: bigint("return_value", { mode: "number" }),
    success: boolean("success").notNull(),
  },
  (t) => telemetryIndexes("syscall_events", t),
);
