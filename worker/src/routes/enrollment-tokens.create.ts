import { createRoute, z } from "@hono/zod-openapi";
import { enrollmentTokens } from "@tether/schema/tables";
import type { App } from "../context.ts";
import { validationError } from "../errors.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { lockOrg, writeAudit } from "../services/audit.ts";
import { generateToken, hashToken, tokenHint } from "../services/tokens.ts";
import { adminSecurity, errorResponses } from "./common.ts";
import { EnrollmentToken, toEnrollmentToken } from "./enrollment-tokens.schemas.ts";
import { GroupList } from "./nodes.schemas.ts";

const DAY_SECONDS = 86_400;
const YEAR_SECONDS = 365 * DAY_SECONDS;

const CreateToken = z
  .object({
    name: z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters"),
    reusable: z.boolean().default(false),
    max_uses: z
      .number()
      .int("must be an integer")
      .min(1, "must be at least 1")
      .max(1_000_000, "must be at most 1000000")
      .optional()
      .openapi({ description: "Reusable tokens only: stop after this many registrations" }),
    expires_in_seconds: z
      .number()
      .int("must be an integer")
      .min(1, "must be at least 1")
      .max(YEAR_SECONDS, `must be at most ${YEAR_SECONDS} (one year)`)
      .optional()
      .openapi({ description: "Lifetime; default 86400 (24 h). Exclusive with expires_at." }),
    expires_at: z.iso
      .datetime({ offset: true, error: "must be an RFC 3339 date-time" })
      .optional()
      .openapi({ description: "Within the next year. Exclusive with expires_in_seconds." }),
    groups: GroupList.default([]),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.expires_at !== undefined && body.expires_in_seconds !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["expires_at"],
        message: "give expires_at or expires_in_seconds, not both",
      });
    }
    if (body.max_uses !== undefined && !body.reusable) {
      ctx.addIssue({
        code: "custom",
        path: ["max_uses"],
        message: "only reusable tokens take max_uses (a one-time token is spent by its first use)",
      });
    }
  })
  .openapi("CreateEnrollmentToken");

const CreatedToken = EnrollmentToken.extend({
  token: z.string().openapi({
    description: "The token (`tk_enroll_…`). Shown once; only its hash is stored.",
  }),
}).openapi("CreatedEnrollmentToken");

const route = createRoute({
  method: "post",
  path: "/api/enrollment-tokens",
  summary: "Create an enrollment token (shown once)",
  description:
    "A machine presents the token to `POST /v1/register` to join the mesh. One-time tokens are spent by their first registration; reusable ones until `max_uses` or expiry.",
  security: adminSecurity("admin"),
  middleware: [requireAdmin("admin")] as const,
  request: { body: { required: true, content: { "application/json": { schema: CreateToken } } } },
  responses: {
    201: { description: "Created", content: { "application/json": { schema: CreatedToken } } },
    ...errorResponses,
  },
});

export function registerCreateEnrollmentToken(app: App): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const { db, now, random } = c.var.services;
    const principal = c.var.principal;
    const at = now();
    const expiresAt = expiryOf(body, at);
    const token = generateToken("enroll", random);
    const row = await db.transaction(async (tx) => {
      await lockOrg(tx, principal.orgId);
      const [created] = await tx
        .insert(enrollmentTokens)
        .values({
          orgId: principal.orgId,
          name: body.name,
          tokenHash: await hashToken(token),
          tokenHint: tokenHint(token),
          reusable: body.reusable,
          maxUses: body.max_uses ?? null,
          groups: [...new Set(body.groups)],
          expiresAt,
          createdBy: principal.keyId,
          createdAt: at,
        })
        .returning();
      await writeAudit(tx, {
        orgId: principal.orgId,
        actorType: "api_key",
        actorId: principal.keyId,
        action: "enrollment_token.create",
        targetType: "enrollment_token",
        targetId: created!.id,
        before: null,
        after: toEnrollmentToken(created!, at),
        requestId: c.var.requestId,
        at,
      });
      return created!;
    });
    return c.json({ ...toEnrollmentToken(row, at), token }, 201);
  });
}

function expiryOf(
  body: { expires_in_seconds?: number | undefined; expires_at?: string | undefined },
  at: Date,
): Date {
  if (body.expires_at === undefined) {
    return new Date(at.getTime() + (body.expires_in_seconds ?? DAY_SECONDS) * 1000);
  }
  const expiresAt = new Date(body.expires_at);
  const ahead = (expiresAt.getTime() - at.getTime()) / 1000;
  // Checked here, not in the schema, because it depends on the request's clock.
  if (ahead <= 0 || ahead > YEAR_SECONDS) {
    throw validationError([
      { path: "body.expires_at", message: "must be in the future and at most one year ahead" },
    ]);
  }
  return expiresAt;
}
