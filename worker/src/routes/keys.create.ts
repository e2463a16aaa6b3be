import { createRoute, z } from "@hono/zod-openapi";
import { apiKeys } from "@tether/schema/tables";
import type { App } from "../context.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { lockOrg, writeAudit } from "../services/audit.ts";
import { generateToken, hashToken, tokenHint } from "../services/tokens.ts";
import { adminSecurity, errorResponses } from "./common.ts";
import { ApiKey, toApiKey } from "./keys.schemas.ts";

const CreateKey = z
  .object({
    name: z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters"),
    scopes: z
      .array(z.enum(["admin", "read"]))
      .min(1, "must name at least one scope")
      .default(["read"]),
    expires_at: z.iso
      .datetime({ offset: true, error: "must be an RFC 3339 date-time" })
      .optional()
      .openapi({ example: "2027-01-01T00:00:00Z" }),
  })
  .strict()
  .openapi("CreateApiKey");

const CreatedKey = ApiKey.extend({
  key: z.string().openapi({ description: "The key itself. Shown once; only its hash is stored." }),
}).openapi("CreatedApiKey");

const route = createRoute({
  method: "post",
  path: "/api/keys",
  summary: "Create an admin API key (shown once)",
  security: adminSecurity("admin"),
  middleware: [requireAdmin("admin")] as const,
  request: { body: { required: true, content: { "application/json": { schema: CreateKey } } } },
  responses: {
    201: { description: "Created", content: { "application/json": { schema: CreatedKey } } },
    ...errorResponses,
  },
});

export function registerCreateKey(app: App): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const { db, now, random } = c.var.services;
    const principal = c.var.principal;
    const key = generateToken("admin", random);
    const at = now();
    const expiresAt = body.expires_at ? new Date(body.expires_at) : null;
    const row = await db.transaction(async (tx) => {
      await lockOrg(tx, principal.orgId);
      const [created] = await tx
        .insert(apiKeys)
        .values({
          orgId: principal.orgId,
          kind: "admin",
          name: body.name,
          keyHash: await hashToken(key),
          keyHint: tokenHint(key),
          scopes: [...new Set(body.scopes)],
          createdBy: principal.keyId,
          createdAt: at,
          expiresAt,
        })
        .returning();
      await writeAudit(tx, {
        orgId: principal.orgId,
        actorType: "api_key",
        actorId: principal.keyId,
        action: "api_key.create",
        targetType: "api_key",
        targetId: created!.id,
        before: null,
        after: toApiKey(created!),
        requestId: c.var.requestId,
        at,
      });
      return created!;
    });
    return c.json({ ...toApiKey(row), key }, 201);
  });
}
