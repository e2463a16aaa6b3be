import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, lt, sql } from "drizzle-orm";
import { auditLog } from "@tether/schema/tables";
import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { decodeSeqCursor, encodeSeqCursor } from "../services/telemetry/cursor.ts";
import { adminSecurity, errorResponses } from "./common.ts";
import { pageFields, rangeIsOrdered, timeRangeFields } from "./telemetry.schemas.ts";

const KIND = "audit";
const text = (max: number) =>
  z.string().min(1, "must not be empty").max(max, "too long").optional();

const Query = z
  .object({
    action: text(100).openapi({ description: "Exact action, e.g. api_key.revoke" }),
    target_type: text(100).openapi({ description: "e.g. api_key, node, mesh_policy" }),
    target_id: text(200),
    actor_id: z
      .uuid({ error: "must be a UUID" })
      .optional()
      .openapi({ description: "Key or node that acted" }),
    ...timeRangeFields,
    ...pageFields,
  })
  .strict()
  .superRefine(rangeIsOrdered);

const AuditRow = z
  .object({
    id: z.uuid(),
    seq: z.number().int(),
    actor_type: z.enum(["api_key", "node", "system"]),
    actor_id: z.uuid().nullable(),
    action: z.string(),
    target_type: z.string(),
    target_id: z.string().nullable(),
    before: z.unknown(),
    after: z.unknown(),
    request_id: z.string().nullable(),
    created_at: z.string(),
    prev_hash: z.string(),
    hash: z.string(),
  })
  .openapi("AuditRow");

const route = createRoute({
  method: "get",
  path: "/api/audit",
  summary: "The org's audit trail, newest first, with cursor pagination",
  security: adminSecurity("read"),
  middleware: [requireAdmin("read")] as const,
  request: { query: Query },
  responses: {
    200: {
      description: "One page of rows, by seq descending",
      content: {
        "application/json": {
          schema: z.object({ entries: z.array(AuditRow), next_cursor: z.string().nullable() }),
        },
      },
    },
    ...errorResponses,
  },
});

export function registerListAudit(app: App): void {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const t = auditLog;
    let beforeSeq: number | undefined;
    if (q.cursor !== undefined) {
      beforeSeq = decodeSeqCursor(KIND, q.cursor);
      if (beforeSeq === undefined) {
        throw new ApiError(
          "validation_failed",
          "invalid request: query.cursor: not a cursor of this listing",
          [{ path: "query.cursor", message: "not a cursor of this listing" }],
        );
      }
    }
    const limit = q.limit ?? 100;
    const rows = await c.var.services.db
      .select()
      .from(t)
      .where(
        and(
          eq(t.orgId, c.var.principal.orgId),
          q.action === undefined ? undefined : eq(t.action, q.action),
          q.target_type === undefined ? undefined : eq(t.targetType, q.target_type),
          q.target_id === undefined ? undefined : eq(t.targetId, q.target_id),
          q.actor_id === undefined ? undefined : eq(t.actorId, q.actor_id),
          q.from === undefined ? undefined : sql`${t.createdAt} >= ${q.from}::timestamptz`,
          q.to === undefined ? undefined : sql`${t.createdAt} < ${q.to}::timestamptz`,
          beforeSeq === undefined ? undefined : lt(t.seq, beforeSeq),
        ),
      )
      .orderBy(desc(t.seq))
      .limit(limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return c.json(
      {
        entries: page.map((r) => ({
          id: r.id,
          seq: r.seq,
          actor_type: r.actorType,
          actor_id: r.actorId,
          action: r.action,
          target_type: r.targetType,
          target_id: r.targetId,
          before: r.before,
          after: r.after,
          request_id: r.requestId,
          created_at: r.createdAt.toISOString(),
          prev_hash: r.prevHash,
          hash: r.hash,
        })),
        next_cursor: rows.length > limit && last ? encodeSeqCursor(KIND, last.seq) : null,
      },
      200,
    );
  });
}
