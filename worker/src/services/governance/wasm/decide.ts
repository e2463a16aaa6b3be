import { decisionLogs, wasmPolicies } from "@tether/schema/tables";
import { sql } from "drizzle-orm";
import type { Services } from "../../../context.ts";
import { ApiError } from "../../../errors.ts";
import type { Tx } from "../../audit.ts";
import type { PathValue } from "../compile.ts";
import { activeInOrg, policyById } from "../policy-kind.ts";
import { storedModule } from "./policies.ts";
import { WasmPolicyError } from "./runner.ts";
import { WASM, type WasmPolicyRow } from "./views.ts";

/** The org's active Wasm policies, per isolate and (org, revision): a key never goes stale. */
const MAX_ENTRIES = 64;
const activeByRevision = new Map<string, WasmPolicyRow[]>();

async function activeWasmPolicies(
  db: Tx,
  orgId: string,
  revision: number,
): Promise<WasmPolicyRow[]> {
  const key = `${orgId}:${revision}`;
  const hit = activeByRevision.get(key);
  if (hit) return hit;
  const rows = await db.select().from(wasmPolicies).where(activeInOrg(wasmPolicies, orgId));
  activeByRevision.set(key, rows);
  if (activeByRevision.size > MAX_ENTRIES) {
    activeByRevision.delete(activeByRevision.keys().next().value as string);
  }
  return rows;
}

/**
 * The active Wasm policy with `path` (normalized, `tether/authz/allow`)
 * among its entrypoints. `revision` is the org revision the caller read, so
 * the answer matches the Rego set it was read beside.
 */
export async function activeWasmForPath(
  db: Tx,
  orgId: string,
  revision: number,
  path: string,
): Promise<WasmPolicyRow | undefined> {
  if (path === "") return undefined;
  return (await activeWasmPolicies(db, orgId, revision)).find((p) => p.entrypoints.includes(path));
}

export const wasmPolicyById = (db: Tx, orgId: string, id: string) =>
  policyById(db, WASM, orgId, id);

export interface WasmDecideRequest {
  orgId: string;
  policy: WasmPolicyRow;
  /** The entrypoint, one of `policy.entrypoints`. */
  entrypoint: string;
  input?: unknown;
  nodeId?: string | undefined;
  appId?: string | undefined;
  labels?: Record<string, string> | undefined;
}

/**
 * One decision by a Wasm policy, evaluated by opa-wasm in the policy's
 * Dynamic Worker, then logged like a Rego decision (OPA's decision-log
 * fields). OPA's result set `[{result: v}]` is the value v; `[]` is
 * undefined. An evaluation error (opa_abort, a missing builtin) is a 400
 * naming it and is not logged.
 */
export async function decideWasm(
  services: Services,
  req: WasmDecideRequest,
): Promise<PathValue & { decisionId: string }> {
  const { db, now, wasm } = services;
  const { policy } = req;
  const started = performance.now();
  let resultSet: unknown[];
  try {
    resultSet = await wasm.evaluate(
      storedModule(db, req.orgId, policy.sha256),
      req.entrypoint,
      req.input,
    );
  } catch (e) {
    if (!(e instanceof WasmPolicyError)) throw e;
    if (e.stage === "load") {
      throw new ApiError("internal_error", `the stored Wasm policy ${policy.id} does not load`);
    }
    throw new ApiError("bad_request", `evaluation failed: ${e.message}`, {
      code: "wasm_eval_error",
      message: e.message,
      policy_id: policy.id,
      entrypoint: req.entrypoint,
    });
  }
  const durationNs = Math.round((performance.now() - started) * 1e6);
  const first = resultSet[0] as { result?: unknown } | undefined;
  const out: PathValue =
    first !== undefined && "result" in first
      ? { defined: true, value: first.result }
      : { defined: false };
  const decisionId = crypto.randomUUID();
  await db.insert(decisionLogs).values({
    decisionId,
    orgId: req.orgId,
    path: req.entrypoint,
    input: req.input === undefined ? null : (req.input as object),
    // SQL NULL is "undefined"; a defined JSON null is stored as jsonb 'null'.
    result: !out.defined ? null : out.value === null ? sql`'null'::jsonb` : (out.value as object),
    timestamp: now(),
    policyId: policy.id,
    policyRevision: policy.revision,
    nodeId: req.nodeId ?? null,
    appId: req.appId ?? null,
    source: "server",
    labels: req.labels ?? {},
    durationNs,
  });
  return { ...out, decisionId };
}
