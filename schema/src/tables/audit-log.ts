import { bigint, index, jsonb, pgTable, text, unique, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, orgId } from "./columns.ts";

/**
 * Every mutating management call. Rows are hash-chained per org:
 * `hash = sha256(prev_hash + canonical row)`, so an altered row is detectable.
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: id(),
    orgId: orgId(),
    /** Position in the org's chain, from 1. */
    seq: bigint("seq", { mode: "number" }).notNull(),
    actorType: text("actor_type", { enum: ["api_key", "node", "system"] }).notNull(),
    actorId: uuid("actor_id"),
    action: text("action").notNull(),
    targetType: text("target_type").notNull(),
    targetId: text("target_id"),
    before: jsonb("before"),
    after: jsonb("after"),
    requestId: text("request_id"),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    unique("audit_log_org_seq_uq").on(t.orgId, t.seq),
    index("audit_log_org_time_idx").on(t.orgId, t.createdAt),
  ],
);
