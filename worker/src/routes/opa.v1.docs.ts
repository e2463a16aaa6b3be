import { z } from "@hono/zod-openapi";
import { OpaDataResult as DataResult, OpaError as OpaErrorShape } from "@tether/schema/wire";
import type { App } from "../context.ts";

/**
 * /openapi.json entries for the OPA-compatible surface. The handlers are
 * plain Hono routes (raw Rego bodies, OPA's error object), so they are
 * described here; their scheme is `OpaAdminKey` (an admin key, answered with
 * OPA's error object rather than the API's envelope).
 */
// One declaration (@tether/schema/wire), shared with the agent's local endpoint.
const OpaError = OpaErrorShape.openapi("OpaError");
const OpaDataResult = DataResult.openapi("OpaDataResult");

const errors = Object.fromEntries(
  [
    [400, "Invalid parameter (compile errors listed in `errors`)"],
    [401, "Missing, unknown, revoked or expired admin key, or too small a scope"],
    [404, "No such policy"],
    [409, "Failing tests or a conflicting active set"],
  ].map(([status, description]) => [
    status,
    { description, content: { "application/json": { schema: OpaError } } },
  ]),
);

const OpaPolicy = z.object({ id: z.string(), raw: z.string() }).openapi("OpaPolicy");
const security = (scope: "admin" | "read") => [{ OpaAdminKey: [scope] }];
const idParam = z.object({
  id: z.string().openapi({ param: { name: "id", in: "path" }, example: "example/authz" }),
});
const pathParam = z.object({
  path: z
    .string()
    .openapi({ param: { name: "path", in: "path" }, example: "tether/sandbox/allow" }),
});
const json = (schema: z.ZodType, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

export function documentOpaCompat(app: App): void {
  const r = app.openAPIRegistry;
  r.registerComponent("securitySchemes", "OpaAdminKey", {
    type: "http",
    scheme: "bearer",
    description: "Admin API key (`tk_admin_…`) on OPA's own REST shapes",
  });
  r.registerPath({
    method: "get",
    path: "/v1/policies",
    summary: "OPA: list policies",
    security: security("read"),
    responses: { 200: json(z.object({ result: z.array(OpaPolicy) }), "Policies"), ...errors },
  });
  r.registerPath({
    method: "get",
    path: "/v1/policies/{id}",
    summary: "OPA: get a policy (id = the policy's name, may contain `/`)",
    security: security("read"),
    request: { params: idParam },
    responses: { 200: json(z.object({ result: OpaPolicy }), "The policy"), ...errors },
  });
  r.registerPath({
    method: "put",
    path: "/v1/policies/{id}",
    summary: "OPA: create or update a policy from raw Rego",
    description:
      "Saved `active` (live at once, like OPA), keeping an existing policy's mode, targets and tests (which gate it). Same revision bump, history, audit and `rego_policy_updated` as `/api/opa/policies`.",
    security: security("admin"),
    request: {
      params: idParam,
      body: { required: true, content: { "text/plain": { schema: z.string() } } },
    },
    responses: { 200: json(z.object({}), "Saved"), ...errors },
  });
  r.registerPath({
    method: "delete",
    path: "/v1/policies/{id}",
    summary: "OPA: delete a policy",
    security: security("admin"),
    request: { params: idParam },
    responses: { 200: json(z.object({}), "Deleted"), ...errors },
  });
  for (const method of ["get", "post"] as const) {
    r.registerPath({
      method,
      path: "/v1/data/{path}",
      summary: `OPA: ${method === "get" ? "get" : "evaluate"} a document over the active policies`,
      description:
        method === "get"
          ? "`?input=` carries the input as JSON. `result` is absent when undefined; the decision is logged."
          : "Body `{input}` (optional). `result` is absent when undefined; the decision is logged.",
      security: security("read"),
      request: {
        params: pathParam,
        ...(method === "post"
          ? {
              body: {
                content: { "application/json": { schema: z.object({ input: z.unknown() }) } },
              },
            }
          : { query: z.object({ input: z.string().optional() }) }),
      },
      responses: { 200: json(OpaDataResult, "The decision"), ...errors },
    });
  }
}
