import { bigint, index, jsonb, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, orgId } from "./columns.ts";

/**
 * The sequenced outbox of agent events. `seq` increases per org; an agent
 * resumes from it with `Last-Event-ID`.
 */
export const events = pgTable(
  "events",
  {
    orgId: orgId(),
    seq: bigint("seq", { mode: "number" }).notNull(),
    eventId: uuid("event_id").notNull().defaultRandom(),
    eventType: text("event_type").notNull(),
    /** The org revision this event brings nodes to. */
    revision: bigint("revision", { mode: "number" }).notNull(),
    /** Node ids the event concerns; null = every node of the org. */
    nodeIds: jsonb("node_ids").$type<string[] | null>(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    /**
     * key_id of the org key that signed the live delivery. Replays are
     * re-signed with the same key, so an agent that missed a rotation can
     * still verify the rotation event (signed by the key it trusts).
     */
    signedWith: text("signed_with"),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: "events_pk", columns: [t.orgId, t.seq] }),
    index("events_org_time_idx").on(t.orgId, t.createdAt),
  ],
);
