import { z } from "@hono/zod-openapi";
import { GROUP_NAME, NODE_MODES } from "@tether/schema/wire";
import type { nodes } from "@tether/schema/tables";
import { iso } from "./common.ts";

/** A node that has not reported status nor heartbeat for this long is stale. */
export const SILENT_AFTER_SECONDS = 300;

export const STALE_REASONS = ["never_reported", "behind", "silent"] as const;
export type StaleReason = (typeof STALE_REASONS)[number];

export const STALE_DESCRIPTION =
  "`stale` is true when any of `stale_reasons` holds: `never_reported` (the node never acknowledged a revision), " +
  "`behind` (its applied revision is lower than the revision of the newest event that concerned it, `desired_revision`), " +
  `\`silent\` (no status report nor heartbeat for more than ${SILENT_AFTER_SECONDS} seconds).`;

export const GroupList = z
  .array(
    z
      .string()
      .regex(
        GROUP_NAME,
        "must be a group name: letters, digits, _ . - (at most 63, starting alphanumeric)",
      ),
  )
  .max(64, "at most 64 groups")
  .openapi({ example: ["web", "eu-west"] });

type NodeRow = typeof nodes.$inferSelect;

/** Why a node is stale at `now`; empty when it is not. */
export function staleReasons(row: NodeRow, now: Date): StaleReason[] {
  const reasons: StaleReason[] = [];
  if (row.appliedRevision === null) reasons.push("never_reported");
  else if (row.appliedRevision < row.desiredRevision) reasons.push("behind");
  const contact = Math.max(row.lastStatusAt?.getTime() ?? 0, row.lastSeenAt?.getTime() ?? 0);
  if (now.getTime() - contact > SILENT_AFTER_SECONDS * 1000) reasons.push("silent");
  return reasons;
}

export const Node = z
  .object({
    id: z.uuid(),
    name: z.string(),
    hostname: z.string(),
    public_key: z.string().openapi({ description: "WireGuard public key (base64)" }),
    mesh_ip: z.string(),
    endpoint: z.string().nullable(),
    groups: z.array(z.string()),
    labels: z.record(z.string(), z.string()),
    mode: z.enum(NODE_MODES),
    created_at: z.string(),
    last_seen_at: z.string().nullable(),
    status: z
      .object({
        applied_revision: z.number().int().nullable(),
        desired_revision: z.number().int(),
        ruleset_hash: z.string().nullable(),
        peer_count: z.number().int().nullable(),
        mode: z.string().nullable().openapi({ description: "The mode the agent reports applying" }),
        errors: z.array(z.string()),
        reported_at: z.string().nullable(),
        agent_version: z.string().nullable(),
      })
      .openapi({ description: "The node's last acknowledgement (POST /v1/nodes/{id}/status)" }),
    stale: z.boolean().openapi({ description: STALE_DESCRIPTION }),
    stale_reasons: z.array(z.enum(STALE_REASONS)),
  })
  .openapi("Node");
export type NodeView = z.infer<typeof Node>;

export function toNode(row: NodeRow, now: Date): NodeView {
  const reasons = staleReasons(row, now);
  return {
    id: row.id,
    name: row.name,
    hostname: row.hostname,
    public_key: row.publicKey,
    mesh_ip: row.meshIp,
    endpoint: row.endpoint,
    groups: row.groups,
    labels: row.labels,
    mode: row.mode,
    created_at: row.createdAt.toISOString(),
    last_seen_at: iso(row.lastSeenAt),
    status: {
      applied_revision: row.appliedRevision,
      desired_revision: row.desiredRevision,
      ruleset_hash: row.rulesetHash,
      peer_count: row.peerCount,
      mode: row.appliedMode,
      errors: row.lastErrors,
      reported_at: iso(row.lastStatusAt),
      agent_version: row.agentVersion,
    },
    stale: reasons.length > 0,
    stale_reasons: reasons,
  };
}

/** What the audit log keeps of a node: what an operator can change, not the ack columns. */
export function nodeAuditView(row: NodeRow) {
  return {
    id: row.id,
    name: row.name,
    hostname: row.hostname,
    public_key: row.publicKey,
    mesh_ip: row.meshIp,
    groups: row.groups,
    labels: row.labels,
    mode: row.mode,
  };
}

/** What a DELETE answers. */
export const Deleted = z
  .object({
    id: z.uuid(),
    deleted: z.literal(true),
    revision: z.number().int().openapi({ description: "The org revision of the deletion" }),
  })
  .openapi("Deleted");
