import { pgTable, text, unique } from "drizzle-orm/pg-core";
import { createdAt, id, orgId, updatedAt } from "./columns.ts";

/** A registered agent application (e.g. a sandboxed AI agent). */
export const apps = pgTable(
  "apps",
  {
    id: id(),
    orgId: orgId(),
    /** The `app_id` telemetry batches carry, e.g. `openclaw-1`. */
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [unique("apps_org_slug_uq").on(t.orgId, t.slug)],
);
