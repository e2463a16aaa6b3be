import { jsonb, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, orgId } from "./columns.ts";

/** One row per accepted telemetry batch: a repeated `batch_id` returns `result`. */
export const ingestBatches = pgTable(
  "ingest_batches",
  {
    orgId: orgId(),
    batchId: text("batch_id").notNull(),
    appId: uuid("app_id").notNull(),
    keyId: uuid("key_id"),
    /** The response the first delivery got (counts per kind). */
    result: jsonb("result").$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ name: "ingest_batches_pk", columns: [t.orgId, t.batchId] })],
);
