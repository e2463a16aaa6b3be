import { wasmModules, wasmPolicies, wasmPolicyVersions } from "@tether/schema/tables";
import { and, eq, sql } from "drizzle-orm";
import type { Context } from "hono";
import type { AppEnv } from "../../../context.ts";
import { ApiError } from "../../../errors.ts";
import type { Tx } from "../../audit.ts";
import {
  activeInOrg,
  notFound,
  type PolicySettings,
  policyById,
  sameSettings,
  versionOf,
} from "../policy-kind.ts";
import { deletePolicyOf, writePolicy } from "../policy-write.ts";
import { invalidModule, type UploadedModule } from "./module.ts";
import { type WasmDescription, type WasmModuleRef, WasmPolicyError } from "./runner.ts";
import { WASM, type WasmPolicyRow } from "./views.ts";

/** What a create or a full replace says about a Wasm policy. */
export interface WasmPolicyInput extends PolicySettings {
  /** The uploaded module; null on a replace keeps the current one. */
  module: UploadedModule | null;
  entrypoints: string[];
}

/** A stored module, its bytes read from `wasm_modules` only when an isolate needs them. */
export function storedModule(db: Tx, orgId: string, sha256: string): WasmModuleRef {
  return {
    sha256,
    bytes: async () => {
      const [row] = await db
        .select({ module: wasmModules.module })
        .from(wasmModules)
        .where(and(eq(wasmModules.orgId, orgId), eq(wasmModules.sha256, sha256)));
      if (!row) throw new Error(`Wasm module ${sha256} is not stored`);
      return row.module;
    },
  };
}

/**
 * Loads the module with opa-wasm (in a Dynamic Worker) and checks that it
 * exports every declared entrypoint: 400 `wasm_invalid` when it does not
 * load, 400 `validation_failed` naming each missing entrypoint.
 */
async function inspect(
  c: Context<AppEnv>,
  module: WasmModuleRef,
  entrypoints: string[],
): Promise<WasmDescription> {
  let described: WasmDescription;
  try {
    described = await c.var.services.wasm.describe(module);
  } catch (e) {
    if (e instanceof WasmPolicyError) throw invalidModule(`opa-wasm cannot load it: ${e.message}`);
    throw e;
  }
  const has = Object.keys(described.entrypoints);
  const missing = entrypoints.flatMap((name, i) => (name in described.entrypoints ? [] : [i]));
  if (missing.length > 0) {
    const issues = missing.map((i) => ({
      path: `body.entrypoints[${i}]`,
      message: `the module has no entrypoint "${entrypoints[i]}" (it has: ${has.join(", ") || "none"})`,
    }));
    throw new ApiError(
      "validation_failed",
      `invalid request: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
      issues,
    );
  }
  return described;
}

/** One entrypoint answers for one active Wasm policy at a time, so `/v1/data/{path}` is unambiguous. */
async function refuseSharedEntrypoints(
  tx: Tx,
  orgId: string,
  input: WasmPolicyInput,
  exceptId: string | null,
) {
  if (input.status !== "active") return;
  const others = await tx
    .select({ id: wasmPolicies.id, name: wasmPolicies.name, entrypoints: wasmPolicies.entrypoints })
    .from(wasmPolicies)
    .where(activeInOrg(wasmPolicies, orgId, exceptId));
  for (const other of others) {
    const shared = input.entrypoints.filter((e) => other.entrypoints.includes(e));
    if (shared.length > 0) {
      throw new ApiError(
        "conflict",
        `activation refused: entrypoint ${shared.map((e) => `"${e}"`).join(", ")} is served by the active Wasm policy "${other.name}" (${other.id})`,
        { path: "body.entrypoints", entrypoints: shared, policy_id: other.id },
      );
    }
  }
}

async function storeVersion(tx: Tx, row: WasmPolicyRow, actorId: string) {
  await tx.insert(wasmPolicyVersions).values({
    ...versionOf(row, actorId),
    entrypoints: row.entrypoints,
    sha256: row.sha256,
    sizeBytes: row.sizeBytes,
    abiMinorVersion: row.abiMinorVersion,
  });
}

/** Modules no version names any more (after a delete). */
async function dropUnusedModules(tx: Tx, orgId: string) {
  await tx
    .delete(wasmModules)
    .where(
      and(
        eq(wasmModules.orgId, orgId),
        sql`not exists (select 1 from ${wasmPolicyVersions} v where v.org_id = ${wasmModules.orgId} and v.sha256 = ${wasmModules.sha256})`,
      ),
    );
}

function samePolicy(r: WasmPolicyRow, i: WasmPolicyInput, sha256: string): boolean {
  return (
    r.sha256 === sha256 &&
    r.entrypoints.join("\n") === i.entrypoints.join("\n") &&
    sameSettings(r, i)
  );
}

/**
 * Creates (`id` null) or fully replaces a Wasm policy. The module must load
 * with opa-wasm and export the declared entrypoints; then, through
 * meshWrite: revision bump, module stored once per hash, version row,
 * `rego_policy_updated` to the targeted nodes, audit row. Saving what is
 * already stored writes nothing.
 */
export async function saveWasmPolicy(
  c: Context<AppEnv>,
  orgId: string,
  keyId: string,
  id: string | null,
  input: WasmPolicyInput,
): Promise<{ row: WasmPolicyRow; created: boolean }> {
  const { db } = c.var.services;
  let current: WasmPolicyRow | undefined;
  if (id !== null) {
    current = await policyById(db, WASM, orgId, id);
    if (!current) throw notFound(WASM, id);
  }
  if (!input.module && !current) {
    throw new ApiError("validation_failed", "invalid request: body.module: required", [
      { path: "body.module", message: "required" },
    ]);
  }
  const uploaded = input.module;
  const ref: WasmModuleRef = uploaded
    ? { sha256: uploaded.sha256, bytes: async () => uploaded.bytes }
    : storedModule(db, orgId, current!.sha256);
  if (current && samePolicy(current, input, ref.sha256)) return { row: current, created: false };
  const described = await inspect(c, ref, input.entrypoints);
  const sizeBytes = uploaded ? uploaded.bytes.length : current!.sizeBytes;

  const { row, created } = await writePolicy(c, WASM, orgId, keyId, id, {
    settings: input,
    fields: {
      name: input.name,
      entrypoints: input.entrypoints,
      sha256: ref.sha256,
      sizeBytes,
      abiMinorVersion: described.abiMinorVersion,
      status: input.status,
      mode: input.mode,
      targetApps: input.targetApps,
      targetNodes: input.targetNodes,
    },
    prepare: async (s) => {
      await refuseSharedEntrypoints(s.tx, orgId, input, id);
      if (!uploaded) return;
      await s.tx
        .insert(wasmModules)
        .values({
          orgId,
          sha256: uploaded.sha256,
          module: uploaded.bytes,
          sizeBytes,
          createdAt: s.at,
        })
        .onConflictDoNothing();
    },
    storeVersion,
  });
  return { row, created };
}

/** Deletes a Wasm policy, its history and the modules nothing else names; its nodes get `policy: null`. */
export function deleteWasmPolicy(
  c: Context<AppEnv>,
  orgId: string,
  keyId: string,
  id: string,
): Promise<number> {
  return deletePolicyOf(c, WASM, orgId, keyId, id, (tx) => dropUnusedModules(tx, orgId));
}
