import { createRoute, z } from "@hono/zod-openapi";
import { syscallEvents } from "@tether/schema/tables";
import { eq } from "drizzle-orm";
import type { App } from "../context.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { listPage } from "../services/telemetry/query.ts";
import { adminSecurity, errorResponses } from "./common.ts";
import {
  pageFields,
  pageOf,
  processFields,
  queryBool,
  rangeIsOrdered,
  SyscallEvent,
  scopeFields,
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
    const t = syscallEvents;
    const page = await listPage(c.var.services.db, t, KIND, c.var.principal.orgId, q, [
      q.syscall === undefined ? undefined : eq(t.syscallName, q.syscall),
      q.success === undefined ? undefined : eq(t.success, q.success),
    ]);
    return c.json({ events: page.rows.map(toSyscallEvent), next_cursor: page.nextCursor }, 200);
  });
}
