import { createRoute } from "@hono/zod-openapi";
import type { App } from "../context.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { AppSchema, findApp, toApp } from "./apps.schemas.ts";
import { adminSecurity, errorResponses, UuidParam } from "./common.ts";

const route = createRoute({
  method: "get",
  path: "/api/apps/{id}",
  summary: "Get an app",
  security: adminSecurity("read"),
  middleware: [requireAdmin("read")] as const,
  request: { params: UuidParam },
  responses: {
    200: { description: "The app", content: { "application/json": { schema: AppSchema } } },
    ...errorResponses,
  },
});

export function registerGetApp(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(toApp(await findApp(c.var.services.db, c.var.principal.orgId, id)), 200);
  });
}
