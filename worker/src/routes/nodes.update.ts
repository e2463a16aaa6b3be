import { createRoute, z } from "@hono/zod-openapi";
import { nodes } from "@tether/schema/tables";
import { NODE_MODES } from "@tether/schema/wire";
import { and, eq } from "drizzle-orm";
import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { requireAdmin } from "../middleware/auth.ts";
import type { Tx } from "../services/audit.ts";
import { meshWrite } from "../services/mesh/write.ts";
import { nodeColumns } from "../services/node-row.ts";
import { adminSecurity, errorResponses, UuidParam } from "./common.ts";
import { GroupList, Node, nodeAuditView, toNode } from "./nodes.schemas.ts";

const LABEL_KEY = /^[A-Za-z0-9][\w./-]{0,62}$/;

const UpdateNode = z
  .object({
    name: z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters"),
    groups: GroupList.openapi({ description: "Replaces the node's groups" }),
    labels: z
      .record(
        z.string().regex(LABEL_KEY, "label keys: letters, digits, _ . / - (at most 63)"),
        z.string().max(256, "label values: at most 256 characters"),
      )
      .refine((l) => Object.keys(l).length <= 64, "at most 64 labels")
      .openapi({
        description: "Replaces the node's labels (free-form; policies do not read them)",
      }),
    mode: z.enum(NODE_MODES, { error: `must be one of ${NODE_MODES.join(", ")}` }).openapi({
      description:
        "`enforce` drops, `audit` only counts and logs what would drop, `off` filters nothing",
    }),
  })
  .partial()
  .strict()
  .openapi("UpdateNode");
type NodePatch = z.infer<typeof UpdateNode>;

const route = createRoute({
  method: "patch",
  path: "/api/nodes/{id}",
  summary: "Rename a node, set its groups, labels or mode",
  description:
    "Changing groups changes which policies and peers concern the node: it gets `snapshot_required` and its new or former peers get `peer_added`/`peer_removed`. Changing mode or name sends `node_updated` to the node alone. A patch that changes nothing writes nothing.",
  security: adminSecurity("admin"),
  middleware: [requireAdmin("admin")] as const,
  request: {
    params: UuidParam,
    body: { required: true, content: { "application/json": { schema: UpdateNode } } },
  },
  responses: {
    200: {
      description: "The node as it is now",
      content: { "application/json": { schema: Node } },
    },
    ...errorResponses,
  },
});

export function registerUpdateNode(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const patch = c.req.valid("json");
    const { db, now } = c.var.services;
    const principal = c.var.principal;
    const current = await findNode(db, principal.orgId, id);
    if (changes(current, patch)) {
      await meshWrite(c, principal.orgId, { type: "api_key", id: principal.keyId }, async (s) => {
        const before = await findNode(s.tx, principal.orgId, id, true);
        const [after] = await s.tx
          .update(nodes)
          .set({ ...fieldsOf(patch), updatedAt: s.at })
          .where(eq(nodes.id, id))
          .returning();
        return {
          result: null,
          audit: {
            action: "node.update",
            targetType: "node",
            targetId: id,
            before: nodeAuditView(before),
            after: nodeAuditView(after!),
          },
          changed: { nodes: [id] },
        };
      });
    }
    // Read back after the write: the events raised the node's desired revision.
    return c.json(toNode(await findNode(db, principal.orgId, id), now()), 200);
  });
}

async function findNode(tx: Tx, orgId: string, id: string, forUpdate = false) {
  const query = tx
    .select(nodeColumns)
    .from(nodes)
    .where(and(eq(nodes.id, id), eq(nodes.orgId, orgId)));
  const [row] = forUpdate ? await query.for("update") : await query;
  if (!row) throw new ApiError("not_found", `no node ${id} in this org`);
  return row;
}

function fieldsOf(patch: NodePatch) {
  return {
    ...(patch.name !== undefined && { name: patch.name }),
    ...(patch.groups !== undefined && { groups: [...new Set(patch.groups)] }),
    ...(patch.labels !== undefined && { labels: patch.labels }),
    ...(patch.mode !== undefined && { mode: patch.mode }),
  };
}

function changes(row: typeof nodes.$inferSelect, patch: NodePatch): boolean {
  const f = fieldsOf(patch);
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  return (
    (f.name !== undefined && f.name !== row.name) ||
    (f.mode !== undefined && f.mode !== row.mode) ||
    (f.groups !== undefined && !same([...f.groups].sort(), [...row.groups].sort())) ||
    (f.labels !== undefined && !same(sortedEntries(f.labels), sortedEntries(row.labels)))
  );
}

const sortedEntries = (r: Record<string, string>) =>
  Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
