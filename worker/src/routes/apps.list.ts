import { createRoute, z } from "@hono/zod-openapi";
import { asc, eq } from "drizzle-orm";
import { apps } from "@tether/schema/tables";
import type { App } from "../context.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { AppSchema, toApp } from "./apps.schemas.ts";
import { adminSecurity, errorResponses } from "./common.ts";

const route = createRoute({
  method: "get",
  path: "/api/apps",
  summary: "List this org's apps",
  security: adminSecurity("read"),
  middleware: [requireAdmin("read")] as const,
  responses: {
    200: {
      description: "Apps by slug",
      content: { "application/json": { schema: z.object({ apps: z.array(AppSchema) }) } },
    },
    ...errorResponses,
  },
});

export function registerListApps(app: App): void {
  app.openapi(route, async (c) => {
    const rows = await c.var.services.db
      .select()
      .from(apps)
      .where(eq(apps.orgId, c.var.principal.orgId))
      .orderBy(asc(apps.slug));
    return c.json({ apps: rows.map(toApp) }, 200);
  });
}
