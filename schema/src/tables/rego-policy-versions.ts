import { bigint, index, integer, jsonb, pgTable, text, unique, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, orgId } from "./columns.ts";
import { regoPolicies } from "./rego-policies.ts";

/** Every saved version of a Rego policy, newest `version` last (its history). */
export const regoPolicyVersions = pgTable(
  "rego_policy_versions",
  {
    id: id(),
    orgId: orgId(),
    policyId: uuid("policy_id")
      .notNull()
      .references(() => regoPolicies.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    name: text("name").notNull(),
    packagePath: text("package_path").notNull(),
    source: text("source").notNull(),
    tests: text("tests"),
    status: text("status", { enum: ["draft", "active"] }).notNull(),
    mode: text("mode", { enum: ["audit", "enforce"] }).notNull(),
    targetApps: jsonb("target_apps").$type<string[]>().notNull().default([]),
    targetNodes: jsonb("target_nodes").$type<string[]>().notNull().default([]),
    /** The org revision this version was written at. */
    revision: bigint("revision", { mode: "number" }).notNull(),
    /** The admin key that wrote it. */
    actorId: uuid("actor_id"),
    createdAt: createdAt(),
  },
  (t) => [
    unique("rego_policy_versions_policy_version_uq").on(t.policyId, t.version),
    index("rego_policy_versions_org_idx").on(t.orgId),
  ],
);
