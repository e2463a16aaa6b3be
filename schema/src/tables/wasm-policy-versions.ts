import { bigint, index, integer, jsonb, pgTable, text, unique, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, orgId } from "./columns.ts";
import { wasmPolicies } from "./wasm-policies.ts";

/** Every saved version of a Wasm policy (its history); the module by `sha256`. */
export const wasmPolicyVersions = pgTable(
  "wasm_policy_versions",
  {
    id: id(),
    orgId: orgId(),
    policyId: uuid("policy_id")
      .notNull()
      .references(() => wasmPolicies.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    name: text("name").notNull(),
    entrypoints: jsonb("entrypoints").$type<string[]>().notNull(),
    sha256: text("sha256").notNull(),
    sizeBytes: integer("size_bytes").notNull(),
    abiMinorVersion: integer("abi_minor_version"),
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
    unique("wasm_policy_versions_policy_version_uq").on(t.policyId, t.version),
    index("wasm_policy_versions_org_sha256_idx").on(t.orgId, t.sha256),
  ],
);
