import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, eq, isNull } from "drizzle-orm";
import { apiKeys } from "@tether/schema/tables";
import type { App } from "../context.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { adminSecurity, errorResponses } from "./common.ts";
import { ApiKey, toApiKey } from "./keys.schemas.ts";

const Query = z.object({
  include_revoked: z
    .enum(["true", "false"], { error: "must be true or false" })
    .default("false")
    .transform((v) => v === "true"),
});

const route = createRoute({
  method: "get",
  path: "/api/keys",
  summary: "List this org's admin API keys (never the keys themselves)",
  security: adminSecurity("admin"),
  middleware: [requireAdmin("admin")] as const,
  request: { query: Query },
  responses: {
    200: {
      description: "Keys, oldest first",
      content: { "application/json": { schema: z.object({ keys: z.array(ApiKey) }) } },
    },
    ...errorResponses,
  },
});

export function registerListKeys(app: App): void {
  app.openapi(route, async (c) => {
    const { include_revoked } = c.req.valid("query");
    const orgId = c.var.principal.orgId;
    const rows = await c.var.services.db
      .select()
      .from(apiKeys)
      .where(
        and(
          eq(apiKeys.orgId, orgId),
          eq(apiKeys.kind, "admin"),
          include_revoked ? undefined : isNull(apiKeys.revokedAt),
        ),
      )
      .orderBy(asc(apiKeys.createdAt), asc(apiKeys.id));
    return c.json({ keys: rows.map(toApiKey) }, 200);
  });
}
