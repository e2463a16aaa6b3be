import { createRoute, z } from "@hono/zod-openapi";
import { fileAccessEvents } from "@tether/schema/tables";
import { eq, sql } from "drizzle-orm";
import type { App } from "../context.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { listPage } from "../services/telemetry/query.ts";
import { adminSecurity, errorResponses } from "./common.ts";
import {
  FILE_OPERATIONS,
  FileEvent,
  pageFields,
  pageOf,
  processFields,
  queryBool,
  rangeIsOrdered,
  scopeFields,
  toFileEvent,
} from "./telemetry.schemas.ts";

const KIND = "files";

const Query = z
  .object({
    ...scopeFields,
    ...processFields,
    path: z.string().min(1).max(4096, "too long").optional().openapi({ description: "Exact path" }),
    path_prefix: z
      .string()
      .min(1)
      .max(4096, "too long")
      .optional()
      .openapi({ description: "Paths starting with this text, e.g. /etc/" }),
    operation: z
      .enum(FILE_OPERATIONS, { error: `must be one of ${FILE_OPERATIONS.join(", ")}` })
      .optional(),
    success: queryBool
      .optional()
      .openapi({ description: "Only succeeded (true) or failed (false) operations" }),
    ...pageFields,
  })
  .strict()
  .superRefine(rangeIsOrdered);

const route = createRoute({
  method: "get",
  path: "/api/telemetry/files",
  summary: "List file access events, newest first, with keyset pagination",
  security: adminSecurity("read"),
  middleware: [requireAdmin("read")] as const,
  request: { query: Query },
  responses: {
    200: {
      description: "One page of events, by (timestamp, id) descending",
      content: { "application/json": { schema: pageOf(FileEvent) } },
    },
    ...errorResponses,
  },
});

export function registerListFileEvents(app: App): void {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const t = fileAccessEvents;
    const page = await listPage(c.var.services.db, t, KIND, c.var.principal.orgId, q, [
      q.path === undefined ? undefined : eq(t.path, q.path),
      // starts_with, not LIKE: a `%` or `_` in the prefix is literal.
      q.path_prefix === undefined ? undefined : sql`starts_with(${t.path}, ${q.path_prefix})`,
      q.operation === undefined ? undefined : eq(t.operation, q.operation),
      q.success === undefined ? undefined : eq(t.success, q.success),
    ]);
    return c.json({ events: page.rows.map(toFileEvent), next_cursor: page.nextCursor }, 200);
  });
}
