import { bigint, index, integer, jsonb, pgTable, text, unique, uuid } from "drizzle-orm/pg-core";
import { at, createdAt, id, orgId, updatedAt } from "./columns.ts";

/** A machine in the mesh, enrolled with its WireGuard public key. */
export const nodes = pgTable(
  "nodes",
  {
    id: id(),
    orgId: orgId(),
    name: text("name").notNull(),
    hostname: text("hostname").notNull(),
    /** WireGuard public key, base64 of 32 bytes. */
    publicKey: text("public_key").notNull(),
    meshIp: text("mesh_ip").notNull(),
    /** host:port where peers reach this node's WireGuard, when known. */
    endpoint: text("endpoint"),
    groups: jsonb("groups").$type<string[]>().notNull().default([]),
    labels: jsonb("labels").$type<Record<string, string>>().notNull().default({}),
    mode: text("mode", { enum: ["enforce", "audit", "off"] })
      .notNull()
      .default("enforce"),
    /** Hex SHA-256 of the node credential (`tk_node_…`). */
    credentialHash: text("credential_hash").notNull().unique(),
    enrollmentTokenId: uuid("enrollment_token_id"),
    /** Revision of the newest event that concerned this node: behind it = stale. */
    desiredRevision: bigint("desired_revision", { mode: "number" }).notNull().default(0),
    /** Last acknowledged state, from POST /v1/nodes/{id}/status. */
    appliedRevision: bigint("applied_revision", { mode: "number" }),
    rulesetHash: text("ruleset_hash"),
    peerCount: integer("peer_count"),
    appliedMode: text("applied_mode"),
    lastErrors: jsonb("last_errors").$type<string[]>().notNull().default([]),
    lastStatusAt: at("last_status_at"),
    lastSeenAt: at("last_seen_at"),
    agentVersion: text("agent_version"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique("nodes_org_mesh_ip_uq").on(t.orgId, t.meshIp),
    unique("nodes_org_public_key_uq").on(t.orgId, t.publicKey),
    index("nodes_org_idx").on(t.orgId),
  ],
);
