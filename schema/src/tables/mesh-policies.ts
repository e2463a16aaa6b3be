import { bigint, integer, jsonb, pgTable, text, unique } from "drizzle-orm/pg-core";
import { createdAt, id, orgId, updatedAt } from "./columns.ts";
import type { MeshRule } from "../wire/mesh.ts";

/** A named list of mesh firewall rules `{src, dst, port, protocol, action}`. */
export const meshPolicies = pgTable(
  "mesh_policies",
  {
    id: id(),
    orgId: orgId(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    rules: jsonb("rules").$type<MeshRule[]>().notNull(),
    /** How many times this policy was written (1 on create). */
    version: integer("version").notNull().default(1),
    /** The org revision this policy was last written at. */
    revision: bigint("revision", { mode: "number" }).notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [unique("mesh_policies_org_name_uq").on(t.orgId, t.name)],
);
