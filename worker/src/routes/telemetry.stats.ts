import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { resolveApp } from "../services/telemetry/query.ts";
import {
  deniedOverTime,
  fileOperations,
  protocolBreakdown,
  type StatsScope,
  topDestinations,
  topPaths,
  topSyscalls,
  totals,
} from "../services/telemetry/stats.ts";
import { adminSecurity, errorResponses } from "./common.ts";
import { queryInt, rangeIsOrdered, scopeFields } from "./telemetry.schemas.ts";

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
const MAX_BUCKETS = 1000;
const DEFAULT_RANGE_MS = 86_400_000;

/** `90s`, `5m`, `1h`, `1d` → seconds; one minute to thirty days. */
const Window = z
  .string()
  .regex(/^\d{1,7}[smhd]$/, "must be a duration like 5m, 1h or 1d")
  .transform((v) => Number(v.slice(0, -1)) * UNIT_SECONDS[v.slice(-1) as keyof typeof UNIT_SECONDS])
  .refine((s) => s >= 60 && s <= 30 * 86_400, "must be between 1m and 30d");

const Query = z
  .object({
    ...scopeFields,
    window: Window.optional().openapi({
      type: "string",
      description: "Bucket width for time series (default 1h)",
    }),
    top: queryInt(1, 100)
      .optional()
      .openapi({ type: "string", description: "Rows per top list, 1–100 (default 10)" }),
  })
  .strict()
  .superRefine(rangeIsOrdered);

const count = z.number().int();
const Stats = z
  .object({
    app_id: z.uuid().nullable(),
    from: z.string(),
    to: z.string(),
    window_seconds: count,
    totals: z.object({ syscalls: count, network: count, files: count }),
    top_syscalls: z.array(z.object({ syscall_name: z.string(), count, failures: count })),
    destinations: z.array(
      z.object({
        dst_ip: z.string(),
        dst_port: count.nullable(),
        dns_query: z.string().nullable(),
        count,
        bytes_sent: z.number(),
        bytes_recv: z.number(),
        denied: count.openapi({ description: "Denied or blocked" }),
      }),
    ),
    protocols: z.array(
      z.object({
        protocol: z.string(),
        count,
        bytes_sent: z.number(),
        bytes_recv: z.number(),
        allowed: count,
        denied: count,
        blocked: count,
      }),
    ),
    file_operations: z.array(z.object({ operation: z.string(), count, failures: count })),
    top_paths: z.array(z.object({ path: z.string(), count, failures: count })),
    denied_over_time: z
      .array(z.object({ start: z.string(), denied: count, blocked: count }))
      .openapi({
        description: "Windows with at least one denied or blocked network event, oldest first",
      }),
  })
  .openapi("TelemetryStats");

const route = createRoute({
  method: "get",
  path: "/api/telemetry/stats",
  summary:
    "Aggregations over a time range: top syscalls, destinations, protocols, file operations, denials over time",
  description:
    "Computed in Postgres (GROUP BY) over `[from, to)`; `to` defaults to now and `from` to 24 hours before `to`. " +
    `Top lists hold at most \`top\` rows; the range may span at most ${MAX_BUCKETS} windows.`,
  security: adminSecurity("read"),
  middleware: [requireAdmin("read")] as const,
  request: { query: Query },
  responses: {
    200: { description: "The aggregations", content: { "application/json": { schema: Stats } } },
    ...errorResponses,
  },
});

export function registerTelemetryStats(app: App): void {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const { db, now } = c.var.services;
    const orgId = c.var.principal.orgId;
    const to = q.to ?? now().toISOString();
    const from = q.from ?? new Date(Date.parse(to) - DEFAULT_RANGE_MS).toISOString();
    const windowSeconds = q.window ?? 3600;
    const buckets = Math.ceil((Date.parse(to) - Date.parse(from)) / (windowSeconds * 1000));
    if (buckets > MAX_BUCKETS) {
      const path = q.from === undefined ? "query.from" : "query.window";
      throw new ApiError(
        "validation_failed",
        `invalid request: ${path}: the range spans ${buckets} windows, more than ${MAX_BUCKETS}`,
        [
          {
            path,
            message: `the range spans ${buckets} windows, more than ${MAX_BUCKETS}; widen the window or narrow the range`,
          },
        ],
      );
    }
    if (buckets < 1) {
      throw new ApiError("validation_failed", "invalid request: query.from: must be before to", [
        { path: "query.from", message: "must be before to" },
      ]);
    }
    const appId = await resolveApp(db, orgId, q.app);
    const scope: StatsScope = { orgId, appId, nodeId: q.node, from, to };
    const top = q.top ?? 10;
    const [sums, syscalls, destinations, protocols, operations, paths, denied] = await Promise.all([
      totals(db, scope),
      topSyscalls(db, scope, top),
      topDestinations(db, scope, top),
      protocolBreakdown(db, scope),
      fileOperations(db, scope),
      topPaths(db, scope, top),
      deniedOverTime(db, scope, windowSeconds),
    ]);
    return c.json(
      {
        app_id: appId ?? null,
        from,
        to,
        window_seconds: windowSeconds,
        totals: sums,
        top_syscalls: syscalls,
        destinations,
        protocols,
        file_operations: operations,
        top_paths: paths,
        denied_over_time: denied,
      },
      200,
    );
  });
}
