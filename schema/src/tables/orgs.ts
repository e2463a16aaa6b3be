import { bigint, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/** A tenant. Every other row belongs to exactly one org. */
export const orgs = pgTable("orgs", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull(),
  /** Mesh addresses of this org's nodes are allocated from this CIDR. */
  meshCidr: text("mesh_cidr").notNull().default("10.100.0.0/16"),
  /** Bumped by every change to mesh policies, nodes or Rego policies. */
  revision: bigint("revision", { mode: "number" }).notNull().default(0),
  /** Last event sequence number handed out (events.seq). */
  eventSeq: bigint("event_seq", { mode: "number" }).notNull().default(0),
  /**
   * The revision of the newest event that concerned every node: a node's
   * desired revision is the greater of this and its own `desired_revision`,
   * so a broadcast raises one row instead of every node's.
   */
  broadcastRevision: bigint("broadcast_revision", { mode: "number" }).notNull().default(0),
  /** Events up to this seq were deleted: a resume from before it needs a snapshot. */
  eventsPrunedThrough: bigint("events_pruned_through", { mode: "number" }).notNull().default(0),
  /** Telemetry and decision logs older than this are deleted by the retention job. */
  retentionDays: integer("retention_days").notNull().default(30),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
