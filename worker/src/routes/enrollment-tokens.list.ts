import { createRoute, z } from "@hono/zod-openapi";
import { asc, eq } from "drizzle-orm";
import { enrollmentTokens } from "@tether/schema/tables";
import type { App } from "../context.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { adminSecurity, errorResponses } from "./common.ts";
import { EnrollmentToken, TOKEN_STATES, toEnrollmentToken } from "./enrollment-tokens.schemas.ts";

const Query = z.object({
  state: z
    .enum(TOKEN_STATES, { error: `must be one of ${TOKEN_STATES.join(", ")}` })
    .optional()
    .openapi({ description: "Only tokens in this state" }),
});

const route = createRoute({
  method: "get",
  path: "/api/enrollment-tokens",
  summary: "List enrollment tokens (never the tokens themselves)",
  description:
    "`state`: `revoked` (revoked), `used` (a one-time token that enrolled a node, or a reusable one at `max_uses`), `expired`, else `active`.",
  security: adminSecurity("admin"),
  middleware: [requireAdmin("admin")] as const,
  request: { query: Query },
  responses: {
    200: {
      description: "Tokens, oldest first",
      content: {
        "application/json": { schema: z.object({ tokens: z.array(EnrollmentToken) }) },
      },
    },
    ...errorResponses,
  },
});

export function registerListEnrollmentTokens(app: App): void {
  app.openapi(route, async (c) => {
    const { state } = c.req.valid("query");
    const { db, now } = c.var.services;
    const at = now();
    const rows = await db
      .select()
      .from(enrollmentTokens)
      .where(eq(enrollmentTokens.orgId, c.var.principal.orgId))
      .orderBy(asc(enrollmentTokens.createdAt), asc(enrollmentTokens.id));
    const tokens = rows.map((r) => toEnrollmentToken(r, at));
    return c.json({ tokens: state ? tokens.filter((t) => t.state === state) : tokens }, 200);
  });
}
