import { bigint, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { orgId } from "./columns.ts";

/** Every policy decision, server or agent side, with OPA's decision-log fields. */
export const decisionLogs = pgTable(
  "decision_logs",
  {
    decisionId: uuid("decision_id").primaryKey(),
    orgId: orgId(),
    /** The data path queried, e.g. `tether/sandbox/allow`. */
    path: text("path").notNull(),
    input: jsonb("input"),
    /** null when the decision was undefined. */
    result: jsonb("result"),
    timestamp: timestamp("timestamp", { withTimezone: true }).notNull(),
    policyId: uuid("policy_id"),
    policyRevision: bigint("policy_revision", { mode: "number" }),
    nodeId: uuid("node_id"),
    appId: uuid("app_id"),
    source: text("source", { enum: ["server", "agent"] }).notNull(),
    mode: text("mode", { enum: ["audit", "enforce"] }),
    labels: jsonb("labels").$type<Record<string, string>>().notNull().default({}),
    durationNs: bigint("duration_ns", { mode: "number" }),
  },
  (t) => [
    index("decision_logs_org_app_time_idx").on(t.orgId, t.appId, t.timestamp),
    index("decision_logs_org_time_idx").on(t.orgId, t.timestamp),
  ],
);
