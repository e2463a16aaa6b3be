import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { bearerToken } from "../middleware/auth.ts";
import { createOrgWithAdminKey } from "../services/orgs.ts";
import { constantTimeEqual } from "../services/tokens.ts";
import { errorResponses } from "./common.ts";

const Body = z
  .object({
    org_name: z.string().trim().min(1, "must not be empty").max(100).default("default"),
  })
  .strict();

const Created = z
  .object({
    org: z.object({ id: z.uuid(), name: z.string() }),
    key: z.string().openapi({ description: "The first admin key. Shown once." }),
    key_id: z.uuid(),
  })
  .openapi("Bootstrapped");

const route = createRoute({
  method: "post",
  path: "/api/bootstrap",
  summary: "First install: create the first org and admin key with the BOOTSTRAP_TOKEN secret",
  description:
    "Works only while the Worker has a BOOTSTRAP_TOKEN secret and the database has no org; answers 409 afterwards. Remove the secret once used.",
  security: [{ BootstrapToken: [] }],
  request: { body: { required: true, content: { "application/json": { schema: Body } } } },
  responses: {
    201: { description: "Created", content: { "application/json": { schema: Created } } },
    409: { ...errorResponses[400], description: "An org exists already" },
    ...errorResponses,
  },
});

export function registerBootstrap(app: App): void {
  app.openapi(route, async (c) => {
    const secret = c.var.env.BOOTSTRAP_TOKEN;
    if (!secret)
      throw new ApiError("not_found", "bootstrap is disabled: no BOOTSTRAP_TOKEN secret is set");
    const given = bearerToken(c.req.header("authorization"));
    if (!given || !constantTimeEqual(given, secret)) {
      throw new ApiError("unauthorized", "the bootstrap token is missing or wrong");
    }
    const { org_name } = c.req.valid("json");
    const { db, now, random } = c.var.services;
    const created = await createOrgWithAdminKey(db, {
      name: org_name,
      now: now(),
      random,
      onlyIfNoOrg: true,
      actor: "system",
    });
    if (!created) throw new ApiError("conflict", "already bootstrapped: an org exists");
    return c.json(
      {
        org: { id: created.orgId, name: created.orgName },
        key: created.key,
        key_id: created.keyId,
      },
      201,
    );
  });
}
