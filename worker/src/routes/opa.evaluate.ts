import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../context.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { checkModule } from "../services/governance/compile.ts";
import { decide } from "../services/governance/decide.ts";
import { adminSecurity, errorResponses } from "./common.ts";
import { RegoErrorItem } from "./opa.schemas.ts";

const PATH_DESCRIPTION =
  "A data path, `tether/sandbox/allow` or `data.tether.sandbox.allow`; `data` alone is the whole document";

const EvaluateBody = z
  .object({
    policy_id: z.uuid({ error: "must be a UUID" }).optional().openapi({
      description: "Evaluate this policy alone (any status); default path: its package",
    }),
    path: z.string().max(1000).optional().openapi({ description: PATH_DESCRIPTION }),
    input: z.unknown().optional(),
    app_id: z.uuid({ error: "must be a UUID" }).optional(),
    node_id: z.uuid({ error: "must be a UUID" }).optional(),
    labels: z.record(z.string(), z.string().max(200)).optional(),
  })
  .strict()
  .refine((b) => b.policy_id !== undefined || b.path !== undefined, {
    message: "give policy_id or path",
    path: ["path"],
  });

const evaluate = createRoute({
  method: "post",
  path: "/api/opa/evaluate",
  summary: "Evaluate a decision",
  description:
    "Evaluates `path` over the org's **active** policies compiled together (or one policy with `policy_id`) for `input`. The decision is logged (see `GET /api/decisions`); `result` is absent when the decision is undefined. A runtime error (e.g. conflicting values) is 400 with the Rego error in `details`.",
  security: adminSecurity("read"),
  middleware: [requireAdmin("read")] as const,
  request: {
    body: { required: true, content: { "application/json": { schema: EvaluateBody } } },
  },
  responses: {
    200: {
      description: "The decision",
      content: {
        "application/json": {
          schema: z.object({
            result: z.unknown().optional(),
            decision_id: z.uuid(),
            path: z.string(),
            revision: z.number().int(),
            policy_id: z.uuid().nullable(),
          }),
        },
      },
    },
    ...errorResponses,
  },
});

const validate = createRoute({
  method: "post",
  path: "/api/opa/validate",
  summary: "Check a Rego module without saving it",
  description:
    "Parse, safety (unsafe variables), undefined functions and type checks; every error positioned (1-based line and column).",
  security: adminSecurity("read"),
  middleware: [requireAdmin("read")] as const,
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.object({ source: z.string().max(256 * 1024, "too long") }).strict(),
        },
      },
    },
  },
  responses: {
    200: {
      description: "`ok: true`, or `ok: false` with the errors",
      content: {
        "application/json": {
          schema: z.object({
            ok: z.boolean(),
            package_path: z.string().optional(),
            errors: z.array(RegoErrorItem).optional(),
          }),
        },
      },
    },
    ...errorResponses,
  },
});

export function registerOpaEvaluate(app: App): void {
  app.openapi(evaluate, async (c) => {
    const b = c.req.valid("json");
    const d = await decide(c.var.services, {
      orgId: c.var.principal.orgId,
      policyId: b.policy_id,
      path: b.path,
      input: b.input,
      appId: b.app_id,
      nodeId: b.node_id,
      labels: b.labels,
    });
    return c.json(
      {
        ...(d.defined ? { result: d.value } : {}),
        decision_id: d.decisionId,
        path: d.path,
        revision: d.revision,
        policy_id: d.policyId,
      },
      200,
    );
  });

  app.openapi(validate, async (c) => {
    const { source } = c.req.valid("json");
    const checked = checkModule("policy.rego", source);
    if (checked.errors.length === 0) {
      return c.json({ ok: true, package_path: checked.packagePath }, 200);
    }
    return c.json({ ok: false, errors: checked.errors }, 200);
  });
}
