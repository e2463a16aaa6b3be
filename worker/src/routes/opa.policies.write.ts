import type { App } from "../context.ts";
import { deletePolicy, savePolicy } from "../services/governance/policies.ts";
import { policyWriteRoutes } from "./opa.common.ts";
import {
  COMPILE_ERRORS,
  RegoPolicy,
  RegoPolicyBody,
  toInput,
  toRegoPolicy,
} from "./opa.schemas.ts";

const EVENTS =
  "Bumps the org revision, stores the version in the policy's history, writes an audit row and sends `rego_policy_updated` to the nodes in `target_nodes` (every node when empty; `policy` is null unless the saved version is active).";
const GATE =
  "Saving an `active` version runs its `tests` with the policy: any failing test refuses the write with 409 `conflict` naming the tests (`details.failed_tests`). An active version must also compile beside the org's other active policies (409 otherwise).";

const { create, replace, remove } = policyWriteRoutes({
  path: "/api/opa/policies",
  label: "Rego",
  policy: RegoPolicy,
  conflicts: "Name taken, failing tests or conflicting set",
  create: {
    summary: "Create a Rego policy",
    description: `\`package_path\` is read from the source. ${COMPILE_ERRORS} ${GATE} ${EVENTS}`,
    body: RegoPolicyBody,
  },
  replace: {
    description: `A full replace: omitted fields take their defaults (\`status: draft\`, \`mode: audit\`, no tests, no targets). \`version\` goes up by one. ${COMPILE_ERRORS} ${GATE} ${EVENTS}`,
    body: RegoPolicyBody,
  },
  deleteDescription:
    "Bumps the org revision; the nodes it targeted get `rego_policy_updated` with `policy: null`.",
});

export function registerRegoPolicyWrites(app: App): void {
  app.openapi(create, async (c) => {
    const p = c.var.principal;
    const { row } = await savePolicy(c, p.orgId, p.keyId, null, toInput(c.req.valid("json")));
    return c.json(toRegoPolicy(row), 201);
  });

  app.openapi(replace, async (c) => {
    const p = c.var.principal;
    const { id } = c.req.valid("param");
    const { row } = await savePolicy(c, p.orgId, p.keyId, id, toInput(c.req.valid("json")));
    return c.json(toRegoPolicy(row), 200);
  });

  app.openapi(remove, async (c) => {
    const p = c.var.principal;
    const { id } = c.req.valid("param");
    const revision = await deletePolicy(c, p.orgId, p.keyId, id);
    return c.json({ id, deleted: true as const, revision }, 200);
  });
}
