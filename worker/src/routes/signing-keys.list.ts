import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../context.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { adminSecurity, errorResponses } from "./common.ts";
import { listSigningKeys, SigningKey } from "./signing-keys.schemas.ts";

const route = createRoute({
  method: "get",
  path: "/api/signing-keys",
  summary: "List the org's event-signing public keys",
  description:
    "Agents verify every event envelope with one of the `active` or `previous` keys. The org's first key is made on its first signed event or enrollment, so a new org lists none.",
  security: adminSecurity("read"),
  middleware: [requireAdmin("read")] as const,
  responses: {
    200: {
      description: "Keys, newest first",
      content: { "application/json": { schema: z.object({ keys: z.array(SigningKey) }) } },
    },
    ...errorResponses,
  },
});

export function registerListSigningKeys(app: App): void {
  app.openapi(route, async (c) => {
    const { db, now } = c.var.services;
    return c.json({ keys: await listSigningKeys(db, c.var.principal.orgId, now()) }, 200);
  });
}
