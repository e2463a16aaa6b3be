import { z } from "@hono/zod-openapi";
import { type meshPolicies, nodes } from "@tether/schema/tables";
import {
  MeshPolicyInput as MeshPolicyInputSchema,
  type MeshRule as Rule,
} from "@tether/schema/wire";
import { and, eq, inArray } from "drizzle-orm";
import type { Tx } from "../services/audit.ts";

/** The request body of create and replace: the seed's rule checks, each at `body.rules[i].<field>`. */
export const MeshPolicyInput = MeshPolicyInputSchema.openapi("MeshPolicyInput", {
  description:
    'Each rule: `src`/`dst` a node id, `group:<name>` or `*`; `port` 0 (any, the default), 1–65535 or `"lo-hi"`; `protocol` `""` (any, the default), `tcp` or `udp`, required when a port is given; `action` `allow` or `deny`. Errors use the plexd texts, e.g. `policy: firewall rule: invalid action "permit"` at `body.rules[0].action`.',
});

export const MeshRuleView = z
  .object({
    src: z.string().openapi({ description: "A node id, `group:<name>` or `*`" }),
    dst: z.string().openapi({ description: "A node id, `group:<name>` or `*`" }),
    port: z
      .union([z.number().int(), z.string()])
      .openapi({ description: '0 (any), 1–65535, or a range `"8000-8100"`' }),
    protocol: z.enum(["", "tcp", "udp"]),
    action: z.enum(["allow", "deny"]),
  })
  .openapi("MeshRule");

export const WARNINGS_DESCRIPTION =
  "Rules naming a node id that does not exist in this org are stored (agents skip such rules with a warning, never widening them) and listed here, e.g. `rules[2].src: no node <id> in this org`.";

export const MeshPolicy = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string(),
    rules: z.array(MeshRuleView),
    version: z
      .number()
      .int()
      .openapi({ description: "How many times it was written (1 on create)" }),
    revision: z
      .number()
      .int()
      .openapi({ description: "The org revision of the write that made this version" }),
    created_at: z.string(),
    updated_at: z.string(),
    warnings: z.array(z.string()).openapi({ description: WARNINGS_DESCRIPTION }),
  })
  .openapi("MeshPolicy");
export type MeshPolicyView = z.infer<typeof MeshPolicy>;

type PolicyRow = typeof meshPolicies.$inferSelect;

/** The policy as the audit log keeps it (no warnings: they depend on the nodes of the day). */
export function policyAuditView(
  row: Pick<PolicyRow, "id" | "name" | "description" | "rules" | "version" | "revision">,
) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    rules: row.rules,
    version: row.version,
    revision: row.revision,
  };
}

export function toMeshPolicy(row: PolicyRow, knownNodes: ReadonlySet<string>): MeshPolicyView {
  return {
    ...policyAuditView(row),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    warnings: unknownNodeWarnings(row.rules, knownNodes),
  };
}

const NODE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Node ids (not groups, not `*`) the rules name. */
export function namedNodeIds(rules: readonly Rule[]): string[] {
  const ids = new Set<string>();
  for (const r of rules) {
    for (const s of [r.src, r.dst]) if (NODE_ID.test(s)) ids.add(s);
  }
  return [...ids];
}

export function unknownNodeWarnings(
  rules: readonly Rule[],
  knownNodes: ReadonlySet<string>,
): string[] {
  const out: string[] = [];
  rules.forEach((r, i) => {
    for (const field of ["src", "dst"] as const) {
      const s = r[field];
      if (NODE_ID.test(s) && !knownNodes.has(s))
        out.push(`rules[${i}].${field}: no node ${s} in this org`);
    }
  });
  return out;
}

/** Which of the node ids the given policies name exist in the org. */
export async function existingNodes(
  tx: Tx,
  orgId: string,
  policies: readonly { rules: readonly Rule[] }[],
): Promise<Set<string>> {
  const named = [...new Set(policies.flatMap((p) => namedNodeIds(p.rules)))];
  if (named.length === 0) return new Set();
  const rows = await tx
    .select({ id: nodes.id })
    .from(nodes)
    .where(and(eq(nodes.orgId, orgId), inArray(nodes.id, named)));
  return new Set(rows.map((r) => r.id));
}
