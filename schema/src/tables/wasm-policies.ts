import { bigint, integer, jsonb, pgTable, text, unique } from "drizzle-orm/pg-core";
import { createdAt, id, orgId, updatedAt } from "./columns.ts";

/**
 * Policies compiled to Wasm by OPA, evaluated with opa-wasm (Worker and
 * agent). The module itself is in `wasm_modules`, named by `sha256`.
 */
export const wasmPolicies = pgTable(
  "wasm_policies",
  {
    id: id(),
    orgId: orgId(),
    name: text("name").notNull(),
    /** The entrypoints this policy serves, e.g. `tether/authz/allow` (each one the module exports). */
    entrypoints: jsonb("entrypoints").$type<string[]>().notNull(),
    sha256: text("sha256").notNull(),
    sizeBytes: integer("size_bytes").notNull(),
    /** The module's `opa_wasm_abi_minor_version` (ABI 1.x); null when it exports none. */
    abiMinorVersion: integer("abi_minor_version"),
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
  (t) => [unique("wasm_policies_org_name_uq").on(t.orgId, t.name)],
);
