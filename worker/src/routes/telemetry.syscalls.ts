import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, getTableColumns } from "drizzle-orm";
import { syscallEvents } from "@tether/schema/tables";
import type { App } from "../context.ts";
import { requireAdmin } from "../middleware/auth.ts";
import {
  afterCursor,
  resolveApp,
  scopeConditions,
  timestampText,
  toPage,
} from "../services/telemetry/query.ts";
import { adminSecurity, errorResponses } from "./common.ts";
import {
  pageFields,
  pageOf,
  processFields,
  queryBool,
  rangeIsOrdered,
  SyscallEvent,
  scopeFields,
  toScope,
  toSyscallEvent,
} from "./telemetry.schemas.ts";

const KIND = "syscalls";

const Query = z
  .object({
    ...scopeFields,
    ...processFields,
    syscall: z
      .string()
      .min(1)
      .max(64, "too long")
      .optional()
      .openapi({ description: "Syscall name, e.g. openat" }),
    success: queryBool
      .optional()
      .openapi({ description: "Only succeeded (true) or failed (false) calls" }),
    ...pageFields,
  })
  .strict()
  .superRefine(rangeIsOrdered);

const route = createRoute({
  method: "get",
  path: "/api/telemetry/syscalls",
  summary: "List syscall events, newest first, with keyset pagination",
  security: adminSecurity("read"),
  middleware: [requireAdmin("read")] as const,
  request: { query: Query },
  responses: {
    200: {
      description: "One page of events, by (timestamp, id) descending",
      content: { "application/json": { schema: pageOf(SyscallEvent) } },
    },
    ...errorResponses,
  },
});

export function registerListSyscalls(app: App): void {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const { db } = c.var.services;
    const orgId = c.var.principal.orgId;
    const t = syscallEvents;
    const appId = await resolveApp(db, orgId, q.app);
    const limit = q.limit ?? 100;
    const rows = await db
      .select({ ...getTableColumns(t), ts: timestampText(t) })
      .from(t)
      .where(
        and(
          ...scopeConditions(t, toScope(orgId, appId, q)),
          q.pid === undefined ? undefined : eq(t.pid, q.pid),
          q.comm === undefined ? undefined : eq(t.comm, q.comm),
          q.syscall === undefined ? undefined : eq(t.syscallName, q.syscall),
          q.success === undefined ? undefined : eq(t.success, q.success),
          afterCursor(t, KIND, q.cursor),
        ),
      )
      .orderBy(desc(t.timestamp), desc(t.id))
      .limit(limit + 1);
    const page = toPage(KIND, rows, limit);
    return c.json({ events: page.rows.map(toSyscallEvent), next_cursor: page.nextCursor }, 200);
  });
}
