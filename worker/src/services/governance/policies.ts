import { nodes, regoPolicies, regoPolicyVersions } from "@tether/schema/tables";
import { and, asc, eq, inArray, ne } from "drizzle-orm";
import type { Context } from "hono";
import type { AppEnv } from "../../context.ts";
import { ApiError } from "../../errors.ts";
import type { Tx } from "../audit.ts";
import { meshWrite } from "../mesh/write.ts";
import { checkModule, failingTests, moduleFile, testsFile } from "./compile.ts";
import { compileOrRefuse } from "./engines.ts";
import { auditView, updatedEvent } from "./views.ts";

export type RegoPolicyRow = typeof regoPolicies.$inferSelect;
export { auditView, wirePolicy } from "./views.ts";

/** What a create or a full replace says about a policy. */
export interface RegoPolicyInput {
  name: string;
  source: string;
  tests: string | null;
  status: "draft" | "active";
  mode: "audit" | "enforce";
  targetApps: string[];
  targetNodes: string[];
}

/**
 * Compile checks before any write: the module (and its tests) must compile,
 * else 400 with every error positioned. Returns the package path.
 */
export function checkInput(input: RegoPolicyInput): string {
  const file = moduleFile(input.name);
  const tests =
    input.tests === null ? undefined : { file: testsFile(input.name), source: input.tests };
  const checked = checkModule(file, input.source, tests);
  if (checked.errors.length > 0) {
    const first = checked.errors[0]!;
    throw new ApiError(
      "validation_failed",
      `the Rego module does not compile: ${first.file}:${first.line}:${first.col}: ${first.message}`,
      checked.errors.map((e) => ({
        path: e.file === file ? "body.source" : "body.tests",
        ...e,
      })),
    );
  }
  return checked.packagePath;
}

/** The tests gate: an active version must pass its tests, or the write is refused naming them. */
function gateActivation(input: RegoPolicyInput): void {
  if (input.status !== "active" || input.tests === null) return;
  const { ran, failed } = failingTests(
    moduleFile(input.name),
    input.source,
    input.tests,
    input.name,
  );
  if (failed.length > 0) {
    throw new ApiError(
      "conflict",
      `activation refused: ${failed.length} of ${ran} tests fail: ${failed.map((f) => `${f.package}.${f.name}`).join(", ")}`,
      { failed_tests: failed },
    );
  }
}

/** The org's other active modules must still compile beside this one. */
async function checkActiveSet(
  tx: Tx,
  orgId: string,
  input: RegoPolicyInput,
  exceptId: string | null,
) {
  if (input.status !== "active") return;
  const others = await tx
    .select({ name: regoPolicies.name, source: regoPolicies.source })
    .from(regoPolicies)
    .where(
      and(
        eq(regoPolicies.orgId, orgId),
        eq(regoPolicies.status, "active"),
        exceptId ? ne(regoPolicies.id, exceptId) : undefined,
      ),
    )
    .orderBy(asc(regoPolicies.name));
  compileOrRefuse(
    [...others, { name: input.name, source: input.source }].map((p) => ({
      file: moduleFile(p.name),
      source: p.source,
    })),
    "activation refused: the org's active policies would not compile together",
  );
}

async function refuseTakenName(tx: Tx, orgId: string, name: string, exceptId: string | null) {
  const [taken] = await tx
    .select({ id: regoPolicies.id })
    .from(regoPolicies)
    .where(and(eq(regoPolicies.orgId, orgId), eq(regoPolicies.name, name)));
  if (taken && taken.id !== exceptId) {
    throw new ApiError("conflict", `a Rego policy named "${name}" exists already (${taken.id})`, {
      path: "body.name",
      existing_id: taken.id,
    });
  }
}

/** 400 naming `body.target_nodes` when some ids are not nodes of the org. */
export async function refuseUnknownNodes(tx: Tx, orgId: string, ids: string[]) {
  if (ids.length === 0) return;
  const found = await tx
    .select({ id: nodes.id })
    .from(nodes)
    .where(and(eq(nodes.orgId, orgId), inArray(nodes.id, ids)));
  const known = new Set(found.map((n) => n.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new ApiError(
      "validation_failed",
      `invalid request: body.target_nodes: no such nodes in this org: ${unknown.join(", ")}`,
      unknown.map((id) => ({ path: "body.target_nodes", message: `no node ${id} in this org` })),
    );
  }
}

async function storeVersion(tx: Tx, row: RegoPolicyRow, actorId: string | null) {
  await tx.insert(regoPolicyVersions).values({
    orgId: row.orgId,
    policyId: row.id,
    version: row.version,
    name: row.name,
    packagePath: row.packagePath,
    source: row.source,
    tests: row.tests,
    status: row.status,
    mode: row.mode,
    targetApps: row.targetApps,
    targetNodes: row.targetNodes,
    revision: row.revision,
    actorId,
    createdAt: row.updatedAt,
  });
}

const fields = (input: RegoPolicyInput, packagePath: string) => ({
  name: input.name,
  packagePath,
  source: input.source,
  tests: input.tests,
  status: input.status,
  mode: input.mode,
  targetApps: input.targetApps,
  targetNodes: input.targetNodes,
});

/**
 * Creates (`id` null) or fully replaces a policy through meshWrite: compile
 * checks and the tests gate first, then revision bump, version row,
 * `rego_policy_updated` to the targeted nodes, audit row.
 */
export async function savePolicy(
  c: Context<AppEnv>,
  orgId: string,
  keyId: string,
  id: string | null,
  input: RegoPolicyInput,
): Promise<{ row: RegoPolicyRow; revision: number; created: boolean }> {
  const packagePath = checkInput(input);
  if (id !== null) {
    // Re-applying the same policy (CI, OPA clients re-PUTting) must not churn every agent.
    const [current] = await c.var.services.db
      .select()
      .from(regoPolicies)
      .where(and(eq(regoPolicies.id, id), eq(regoPolicies.orgId, orgId)));
    if (current && samePolicy(current, input)) {
      return { row: current, revision: current.revision, created: false };
    }
  }
  gateActivation(input);
  const { result, revision } = await meshWrite(
    c,
    orgId,
    { type: "api_key", id: keyId },
    async (s) => {
      await refuseTakenName(s.tx, orgId, input.name, id);
      await refuseUnknownNodes(s.tx, orgId, input.targetNodes);
      await checkActiveSet(s.tx, orgId, input, id);
      let before: RegoPolicyRow | null = null;
      let after: RegoPolicyRow;
      if (id === null) {
        const [row] = await s.tx
          .insert(regoPolicies)
          .values({
            orgId,
            ...fields(input, packagePath),
            version: 1,
            revision: s.revision,
            createdAt: s.at,
            updatedAt: s.at,
          })
          .returning();
        after = row!;
      } else {
        const inOrg = and(eq(regoPolicies.id, id), eq(regoPolicies.orgId, orgId));
        const [current] = await s.tx.select().from(regoPolicies).where(inOrg);
        if (!current) throw new ApiError("not_found", `no Rego policy ${id} in this org`);
        before = current;
        const [row] = await s.tx
          .update(regoPolicies)
          .set({
            ...fields(input, packagePath),
            version: current.version + 1,
            revision: s.revision,
            updatedAt: s.at,
          })
          .where(inOrg)
          .returning();
        after = row!;
      }
      await storeVersion(s.tx, after, keyId);
      return {
        result: { row: after, created: before === null },
        audit: {
          action: before ? "rego_policy.update" : "rego_policy.create",
          targetType: "rego_policy",
          targetId: after.id,
          before: before ? auditView(before) : null,
          after: auditView(after),
        },
        changed: {},
        extraEvents: [updatedEvent(after.id, before, after)],
      };
    },
  );
  return { ...result, revision };
}

/** Deletes a policy (its versions go with it); the concerned nodes get `policy: null`. */
export async function deletePolicy(
  c: Context<AppEnv>,
  orgId: string,
  keyId: string,
  id: string,
): Promise<number> {
  const { revision } = await meshWrite(c, orgId, { type: "api_key", id: keyId }, async (s) => {
    const [before] = await s.tx
      .delete(regoPolicies)
      .where(and(eq(regoPolicies.id, id), eq(regoPolicies.orgId, orgId)))
      .returning();
    if (!before) throw new ApiError("not_found", `no Rego policy ${id} in this org`);
    return {
      result: null,
      audit: {
        action: "rego_policy.delete",
        targetType: "rego_policy",
        targetId: id,
        before: auditView(before),
        after: null,
      },
      changed: {},
      extraEvents: [updatedEvent(id, before, null)],
    };
  });
  return revision;
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);

function samePolicy(r: RegoPolicyRow, i: RegoPolicyInput): boolean {
  return (
    r.name === i.name &&
    r.source === i.source &&
    r.tests === i.tests &&
    r.status === i.status &&
    r.mode === i.mode &&
    sameList(r.targetApps, i.targetApps) &&
    sameList(r.targetNodes, i.targetNodes)
  );
}
