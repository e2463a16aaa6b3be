import { createRoute, z } from "@hono/zod-openapi";
import { decisionLogs } from "@tether/schema/tables";
import { and, desc, eq, isNull, type SQL, sql } from "drizzle-orm";
import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { normalizePath } from "../services/governance/compile.ts";
import { isUuid } from "../services/uuid.ts";
import { adminSecurity, errorResponses } from "./common.ts";

const uuid = z.uuid({ error: "must be a UUID" }).optional();
const time = z.iso.datetime({ offset: true, error: "must be an RFC 3339 timestamp" }).optional();

const Query = z
  .object({
    path: z.string().min(1).max(1000).optional().openapi({ description: "Exact data path" }),
    app_id: uuid,
    node_id: uuid,
    policy_id: uuid,
    source: z.enum(["server", "agent"]).optional(),
    result: z.string().min(1).max(1000).optional().openapi({
      description: '`undefined`, or the result\'s JSON (`true`, `false`, `"deny"`, …)',
    }),
    from: time.openapi({ description: "Inclusive lower bound" }),
    to: time.openapi({ description: "Exclusive upper bound" }),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    cursor: z.string().max(500).optional(),
  })
  .strict();

const DecisionLog = z
  .object({
    decision_id: z.uuid(),
    path: z.string(),
    input: z.unknown(),
    result: z.unknown().optional(),
    timestamp: z.string(),
    policy_id: z.uuid().nullable(),
    revision: z.number().int().nullable(),
    node_id: z.uuid().nullable(),
    app_id: z.uuid().nullable(),
    source: z.enum(["server", "agent"]),
    mode: z.enum(["audit", "enforce"]).nullable(),
    labels: z.record(z.string(), z.string()),
    metrics: z.object({ timer_eval_ns: z.number().nullable() }),
  })
  .openapi("DecisionLog");

const route = createRoute({
  method: "get",
  path: "/api/decisions",
  summary: "Decision logs, newest first, with filters and cursor pagination",
  description:
    "OPA's decision-log fields; `result` is absent when the decision was undefined (`result=undefined` finds those).",
  security: adminSecurity("read"),
  middleware: [requireAdmin("read")] as const,
  request: { query: Query },
  responses: {
    200: {
      description: "One page",
      content: {
        "application/json": {
          schema: z.object({ decisions: z.array(DecisionLog), next_cursor: z.string().nullable() }),
        },
      },
    },
    ...errorResponses,
  },
});

const tsText = sql<string>`to_char(${decisionLogs.timestamp} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const badCursor = () =>
  new ApiError("validation_failed", "invalid request: query.cursor: not a decisions cursor", [
    { path: "query.cursor", message: "not a decisions cursor" },
  ]);

function decodeCursor(cursor: string): { ts: string; id: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(atob(cursor.replace(/-/g, "+").replace(/_/g, "/")));
  } catch {
    throw badCursor();
  }
  if (!Array.isArray(parsed) || parsed[0] !== "decisions") throw badCursor();
  const [, ts, id] = parsed as unknown[];
  const TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
  if (typeof ts !== "string" || !TS.test(ts) || typeof id !== "string" || !isUuid(id)) {
    throw badCursor();
  }
  return { ts, id };
}

const encodeCursor = (ts: string, id: string) =>
  btoa(JSON.stringify(["decisions", ts, id]))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

export function registerListDecisions(app: App): void {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const t = decisionLogs;
    const where: SQL[] = [eq(t.orgId, c.var.principal.orgId)];
    if (q.path !== undefined) where.push(eq(t.path, normalizePath(q.path)));
    if (q.app_id !== undefined) where.push(eq(t.appId, q.app_id));
    if (q.node_id !== undefined) where.push(eq(t.nodeId, q.node_id));
    if (q.policy_id !== undefined) where.push(eq(t.policyId, q.policy_id));
    if (q.source !== undefined) where.push(eq(t.source, q.source));
    if (q.from !== undefined) where.push(sql`${t.timestamp} >= ${q.from}::timestamptz`);
    if (q.to !== undefined) where.push(sql`${t.timestamp} < ${q.to}::timestamptz`);
    if (q.result !== undefined) {
      if (q.result === "undefined") where.push(isNull(t.result));
      else {
        try {
          JSON.parse(q.result);
        } catch {
          throw new ApiError("validation_failed", "invalid request: query.result: not JSON", [
            { path: "query.result", message: "`undefined` or a JSON value" },
          ]);
        }
        where.push(sql`${t.result} = ${q.result}::jsonb`);
      }
    }
    if (q.cursor !== undefined) {
      const cur = decodeCursor(q.cursor);
      where.push(
        sql`(${t.timestamp}, ${t.decisionId}) < (${cur.ts}::timestamptz, ${cur.id}::uuid)`,
      );
    }
    const rows = await c.var.services.db
      .select({ row: t, ts: tsText, defined: sql<boolean>`${t.result} is not null` })
      .from(t)
      .where(and(...where))
      .orderBy(desc(t.timestamp), desc(t.decisionId))
      .limit(q.limit + 1);
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return c.json(
      {
        decisions: page.map(({ row, ts, defined }) => toDecisionLog(row, ts, defined)),
        next_cursor:
          rows.length > q.limit && last ? encodeCursor(last.ts, last.row.decisionId) : null,
      },
      200,
    );
  });
}

function toDecisionLog(r: typeof decisionLogs.$inferSelect, ts: string, defined: boolean) {
  const out: z.infer<typeof DecisionLog> = {
    decision_id: r.decisionId,
    path: r.path,
    input: r.input,
    timestamp: ts,
    policy_id: r.policyId,
    revision: r.policyRevision,
    node_id: r.nodeId,
    app_id: r.appId,
    source: r.source,
    mode: r.mode,
    labels: r.labels,
    metrics: { timer_eval_ns: r.durationNs },
  };
  if (defined) out.result = r.result;
  return out;
}
