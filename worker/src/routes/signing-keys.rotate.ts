import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../context.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { meshWrite } from "../services/mesh/write.ts";
import { rotateKey, trustedKeys } from "../services/signing.ts";
import { adminSecurity, errorResponses } from "./common.ts";
import { listSigningKeys, SigningKey } from "./signing-keys.schemas.ts";

const DEFAULT_TRANSITION_SECONDS = 86_400;
const MAX_TRANSITION_SECONDS = 30 * 86_400;

const Rotate = z
  .object({
    transition_seconds: z
      .number()
      .int("must be an integer")
      .min(0, "must be at least 0")
      .max(MAX_TRANSITION_SECONDS, `must be at most ${MAX_TRANSITION_SECONDS} (30 days)`)
      .optional()
      .openapi({
        description: `How long the old key keeps verifying; default ${DEFAULT_TRANSITION_SECONDS} (24 h)`,
      }),
  })
  .strict()
  .openapi("RotateSigningKey");

const Rotated = z
  .object({
    revision: z.number().int().openapi({ description: "The org revision of the rotation" }),
    active_key_id: z.string(),
    keys: z.array(SigningKey),
  })
  .openapi("RotatedSigningKeys");

const route = createRoute({
  method: "post",
  path: "/api/signing-keys/rotate",
  summary: "Rotate the org's event-signing key",
  description:
    "Makes a new active key; the old one becomes `previous` and keeps verifying for `transition_seconds`. Every node gets `signing_key_rotated` with the keys to trust, signed by the **old** key so agents can verify it. The body is optional.",
  security: adminSecurity("admin"),
  middleware: [requireAdmin("admin")] as const,
  request: {
    body: { required: false, content: { "application/json": { schema: Rotate } } },
  },
  responses: {
    200: { description: "Rotated", content: { "application/json": { schema: Rotated } } },
    ...errorResponses,
  },
});

export function registerRotateSigningKey(app: App): void {
  app.openapi(route, async (c) => {
    // Without a body the validator is skipped and hands over `{}`.
    const transition = c.req.valid("json").transition_seconds ?? DEFAULT_TRANSITION_SECONDS;
    const principal = c.var.principal;
    const orgId = principal.orgId;
    const secret = c.var.env.SIGNING_KEY_SECRET;
    const { result, revision } = await meshWrite(
      c,
      orgId,
      { type: "api_key", id: principal.keyId },
      async (s) => {
        const { previous, next } = await rotateKey(s.tx, orgId, secret, s.at, transition);
        const trusted = await trustedKeys(s.tx, orgId, s.at);
        const retiresAt = new Date(s.at.getTime() + transition * 1000).toISOString();
        return {
          result: { activeKeyId: next.keyId, keys: await listSigningKeys(s.tx, orgId, s.at) },
          audit: {
            action: "signing_key.rotate",
            targetType: "signing_key",
            targetId: next.keyId,
            before: { active_key_id: previous.keyId },
            after: {
              active_key_id: next.keyId,
              previous_key_id: previous.keyId,
              previous_retires_at: retiresAt,
            },
          },
          changed: {},
          extraEvents: [{ type: "signing_key_rotated", nodeIds: null, payload: { keys: trusted } }],
          signer: previous,
        };
      },
    );
    return c.json({ revision, active_key_id: result.activeKeyId, keys: result.keys }, 200);
  });
}
