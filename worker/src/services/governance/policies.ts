import { regoPolicies, regoPolicyVersions } from "@tether/schema/tables";
import { asc } from "drizzle-orm";
import type { Context } from "hono";
import type { AppEnv } from "../../context.ts";
import { ApiError } from "../../errors.ts";
import type { Tx } from "../audit.ts";
import { checkModule, failingTests, moduleFile, testsFile } from "./compile.ts";
import { compileOrRefuse } from "./engines.ts";
import {
  activeInOrg,
  type PolicySettings,
  policyById,
  sameSettings,
  versionOf,
} from "./policy-kind.ts";
import { deletePolicyOf, writePolicy } from "./policy-write.ts";
import { REGO } from "./views.ts";

export type RegoPolicyRow = typeof regoPolicies.$inferSelect;
export { auditView, wirePolicy } from "./views.ts";

/** What a create or a full replace says about a policy. */
export interface RegoPolicyInput extends PolicySettings {
  source: string;
  tests: string | null;
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
    .where(activeInOrg(regoPolicies, orgId, exceptId))
    .orderBy(asc(regoPolicies.name));
  compileOrRefuse(
    [...others, { name: input.name, source: input.source }].map((p) => ({
      file: moduleFile(p.name),
      source: p.source,
    })),
    "activation refused: the org's active policies would not compile together",
  );
}

async function storeVersion(tx: Tx, row: RegoPolicyRow, actorId: string) {
  await tx.insert(regoPolicyVersions).values({
    ...versionOf(row, actorId),
    packagePath: row.packagePath,
    source: row.source,
    tests: row.tests,
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
 * Creates (`id` null) or fully replaces a policy: compile checks and the
 * tests gate first, then (writePolicy) the name and targets, the org's
 * active set compiling together, revision bump, version row,
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
    const current = await policyById(c.var.services.db, REGO, orgId, id);
    if (current && samePolicy(current, input)) {
      return { row: current, revision: current.revision, created: false };
    }
  }
  gateActivation(input);
  return writePolicy(c, REGO, orgId, keyId, id, {
    settings: input,
    fields: fields(input, packagePath),
    prepare: (s) => checkActiveSet(s.tx, orgId, input, id),
    storeVersion,
  });
}

/** Deletes a policy (its versions go with it); the concerned nodes get `policy: null`. */
export function deletePolicy(
  c: Context<AppEnv>,
  orgId: string,
  keyId: string,
  id: string,
): Promise<number> {
  return deletePolicyOf(c, REGO, orgId, keyId, id);
}

function samePolicy(r: RegoPolicyRow, i: RegoPolicyInput): boolean {
  return r.source === i.source && r.tests === i.tests && sameSettings(r, i);
}
