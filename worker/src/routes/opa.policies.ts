import { regoPolicyVersions } from "@tether/schema/tables";
import type { App } from "../context.ts";
import {
  listPolicies,
  notFound,
  policyById,
  policyVersions,
} from "../services/governance/policy-kind.ts";
import { REGO } from "../services/governance/views.ts";
import { policyReadRoutes } from "./opa.common.ts";
import { RegoPolicy, RegoPolicyVersion, toRegoPolicy, toRegoPolicyVersion } from "./opa.schemas.ts";

const { list, get, versions } = policyReadRoutes({
  path: "/api/opa/policies",
  label: "Rego",
  listDescription: "Policies by name",
  policy: RegoPolicy,
  version: RegoPolicyVersion,
  versionsDescription: "Every create and replace stores the version it wrote, source included.",
});

export function registerRegoPolicyReads(app: App): void {
  app.openapi(list, async (c) => {
    const rows = await listPolicies(c.var.services.db, REGO, c.var.principal.orgId);
    return c.json({ policies: rows.map(toRegoPolicy) }, 200);
  });

  app.openapi(get, async (c) => {
    const { id } = c.req.valid("param");
    const row = await policyById(c.var.services.db, REGO, c.var.principal.orgId, id);
    if (!row) throw notFound(REGO, id);
    return c.json(toRegoPolicy(row), 200);
  });

  app.openapi(versions, async (c) => {
    const { id } = c.req.valid("param");
    const { db } = c.var.services;
    const rows = await policyVersions(db, REGO, regoPolicyVersions, c.var.principal.orgId, id);
    return c.json({ policy_id: id, versions: rows.map(toRegoPolicyVersion) }, 200);
  });
}
