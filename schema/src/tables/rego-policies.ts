import { bigint, integer, jsonb, pgTable, text, unique } from "drizzle-orm/pg-core";
import { createdAt, id, orgId, updatedAt } from "./columns.ts";

/** OPA/Rego policy modules, authored centrally and enforced at the edge. */
export const regoPolicies = pgTable(
  "rego_policies",
  {
    id: id(),
    orgId: orgId(),
    name: text("name").notNull(),
    /** e.g. `tether.sandbox` for `package tether.sandbox`. */
    packagePath: text("package_path").notNull(),
    source: text("source").notNull(),
    /** Optional Rego `test_*` rules that gate activation. */
    tests: text("tests"),
    version: integer("version").notNull().default(1),
    status: text("status", { enum: ["draft", "active"] })
      .notNull()
      .default("draft"),
    mode: text("mode", { enum: ["audit", "enforce"] })
      .notNull()
      .default("audit"),
    targetApps: jsonb("target_apps").$type<string[]>().notNull().default([]),
    targetNodes: jsonb("target_nodes").$type<string[]>().notNull().default([]),
    revision: bigint("revision", { mode: "number" }).notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [unique("rego_policies_org_name_uq").on(t.orgId, t.name)],
);
