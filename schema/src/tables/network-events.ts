import { bigint, integer, pgTable, text } from "drizzle-orm/pg-core";
import { telemetryColumns, telemetryIndexes } from "./telemetry-columns.ts";

/** Connection-level network telemetry (ADR 005). */
export const networkEvents = pgTable(
  "network_events",
  {
    ...telemetryColumns(),
    direction: text("direction", { enum: ["inbound", "outbound"] }).notNull(),
    protocol: text("protocol", { enum: ["tcp", "udp", "icmp"] }).notNull(),
    dstIp: text("dst_ip").notNull(),
    dstPort: integer("dst_port"),
    dnsQuery: text("dns_query"),
    bytesSent: bigint("bytes_sent", { mode: "number" }),
    bytesRecv: bigint("bytes_recv", { mode: "number" }),
    action: text("action", { enum: ["allowed", "denied", "blocked"] }).notNull(),
    pid: integer("pid"),
    comm: text("comm"),
  },
  (t) => telemetryIndexes("network_events", t),
);
