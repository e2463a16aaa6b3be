import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { regoPolicies } from "@tether/schema/tables";
import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { checkModule, normalizePath } from "../services/governance/compile.ts";
import { activeSet, compileOrRefuse, policyEngine } from "../services/governance/engines.ts";
import { loadDecisions, loadEvents } from "../services/governance/replay.ts";
import { simulate } from "../services/governance/simulate.ts";
import { adminSecurity, errorResponses } from "./common.ts";
import { COMPILE_ERRORS } from "./opa.schemas.ts";

const MAX_EVENTS = 10_000;
const time = z.iso.datetime({ offset: true, error: "must be an RFC 3339 timestamp" }).optional();
const limit = z.number().int().min(1).max(MAX_EVENTS, `at most ${MAX_EVENTS}`).default(1000);

const Against = z.union([
  z
    .object({
      kind: z.enum(["syscall", "network", "file"]),
      app: z.string().min(1).max(200).optional().openapi({ description: "App id or slug" }),
      from: time,
      to: time,
      limit,
    })
    .strict(),
  z
    .object({
      decisions: z
        .object({ path: z.string().min(1).max(1000), from: time, to: time, limit })
        .strict(),
    })
    .strict(),
]);

const SimulateBody = z
  .object({
    source: z
      .string()
      .min(1)
      .max(256 * 1024, "too long")
      .optional(),
    policy_id: z.uuid({ error: "must be a UUID" }).optional(),
    path: z.string().min(1).max(1000).optional().openapi({
      description:
        "The decision compared; default: the decisions' path, else `<package>/allow` of the draft",
    }),
    against: Against,
  })
  .strict()
  .refine((b) => (b.source === undefined) !== (b.policy_id === undefined), {
    message: "give exactly one of source and policy_id",
    path: ["source"],
  });

const PathValue = z.object({ defined: z.boolean(), value: z.unknown().optional() });
const Change = z.object({
  id: z.union([z.string(), z.number()]),
  timestamp: z.string(),
  active: PathValue,
  draft: PathValue,
});

const route = createRoute({
  method: "post",
  path: "/api/opa/simulate",
  summary: "Replay a draft policy over stored events or decisions",
  description: `The draft (\`source\`, or a stored policy by \`policy_id\`) is compiled alone and evaluated at \`path\` for every replayed item, oldest first (at most ${MAX_EVENTS}); so is the org's active policy set. Telemetry events become inputs with ADR 005's field names (\`kind\`, \`app_id\` (slug), \`node_id\`, \`timestamp\`, then \`syscall_name\`, \`pid\`, \`comm\`… / \`direction\`, \`dst_ip\`, \`dst_port\`… / \`path\`, \`operation\`…); decisions replay their stored input. Reports outcome counts on both sides, every item whose decision changes, and the first ones with their input. Nothing is logged. ${COMPILE_ERRORS}`,
  security: adminSecurity("read"),
  middleware: [requireAdmin("read")] as const,
  request: {
    body: { required: true, content: { "application/json": { schema: SimulateBody } } },
  },
  responses: {
    200: {
      description: "The simulation report",
      content: {
        "application/json": {
          schema: z.object({
            path: z.string(),
            revision: z.number().int(),
            total: z.number().int(),
            outcomes: z.object({
              draft: z.record(z.string(), z.number()),
              active: z.record(z.string(), z.number()),
            }),
            changed_count: z.number().int(),
            changed: z.array(Change),
            samples: z.array(Change.extend({ input: z.unknown() })),
            errors: z.array(
              z.object({
                id: z.unknown(),
                side: z.string(),
                code: z.string(),
                message: z.string(),
              }),
            ),
            duration_ms: z.number(),
          }),
        },
      },
    },
    ...errorResponses,
  },
});

export function registerOpaSimulate(app: App): void {
  app.openapi(route, async (c) => {
    const b = c.req.valid("json");
    const { db } = c.var.services;
    const orgId = c.var.principal.orgId;
    const started = performance.now();
    let draft: ReturnType<typeof policyEngine>;
    let packagePath: string;
    if (b.source !== undefined) {
      const checked = checkModule("draft.rego", b.source);
      if (checked.errors.length > 0) {
        throw new ApiError(
          "validation_failed",
          `the draft does not compile: ${checked.errors[0]!.line}:${checked.errors[0]!.col}: ${checked.errors[0]!.message}`,
          checked.errors.map((e) => ({ path: "body.source", ...e })),
        );
      }
      draft = compileOrRefuse([{ file: "draft.rego", source: b.source }], "the draft");
      packagePath = checked.packagePath;
    } else {
      const [p] = await db
        .select()
        .from(regoPolicies)
        .where(and(eq(regoPolicies.id, b.policy_id!), eq(regoPolicies.orgId, orgId)));
      if (!p) throw new ApiError("not_found", `no Rego policy ${b.policy_id} in this org`);
      draft = policyEngine(p);
      packagePath = p.packagePath;
    }
    const a = b.against;
    const path = normalizePath(
      b.path ?? ("decisions" in a ? a.decisions.path : `${packagePath}.allow`),
    );
    const items =
      "decisions" in a
        ? await loadDecisions(db, orgId, a.decisions, normalizePath(a.decisions.path))
        : await loadEvents(db, orgId, a);
    const active = await activeSet(db, orgId);
    const report = simulate(draft, active.engine, path, items);
    return c.json(
      {
        path,
        revision: active.revision,
        total: report.total,
        outcomes: report.outcomes,
        changed_count: report.changed.length,
        changed: report.changed,
        samples: report.samples,
        errors: report.errors,
        duration_ms: Math.round(performance.now() - started),
      },
      200,
    );
  });
}
