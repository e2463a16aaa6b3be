import { RegoError } from "@tether/rego";
import { decisionLogs, regoPolicies } from "@tether/schema/tables";
import { and, eq, sql } from "drizzle-orm";
import type { Services } from "../../context.ts";
import { ApiError } from "../../errors.ts";
import { evalAt, normalizePath, type PathValue } from "./compile.ts";
import { activeSet, policyEngine, policyForPath } from "./engines.ts";
import { activeWasmForPath, decideWasm, wasmPolicyById } from "./wasm/decide.ts";
import type { WasmPolicyRow } from "./wasm/views.ts";

export interface DecideRequest {
  orgId: string;
  /** Evaluate one stored policy (any status) instead of the org's active set. */
  policyId?: string | undefined;
  /** A data path; with `policyId` it defaults to the policy's package. */
  path?: string | undefined;
  input?: unknown;
  nodeId?: string | undefined;
  appId?: string | undefined;
  labels?: Record<string, string> | undefined;
}

export interface Decision extends PathValue {
  decisionId: string;
  /** Normalized, `tether/sandbox/allow`. */
  path: string;
  revision: number;
  policyId: string | null;
}

/**
 * One server-side decision: evaluates, then stores the decision log row
 * (OPA's fields: decision_id, path, input, result, timestamp, revision,
 * labels). A runtime error (conflicting rule values, strict builtins) is a
 * 400 naming the Rego error and is not logged. A Wasm policy answers for
 * its id, and for a path that is one of its entrypoints while it is active
 * (before the Rego set).
 */
export async function decide(services: Services, req: DecideRequest): Promise<Decision> {
  const { db, now } = services;
  let engine: ReturnType<typeof policyEngine>;
  let path: string;
  let revision: number;
  let policyId: string | null;
  if (req.policyId !== undefined) {
    const [p] = await db
      .select()
      .from(regoPolicies)
      .where(and(eq(regoPolicies.id, req.policyId), eq(regoPolicies.orgId, req.orgId)));
    if (!p) {
      const wasm = await wasmPolicyById(db, req.orgId, req.policyId);
      if (!wasm)
        throw new ApiError("not_found", `no Rego or Wasm policy ${req.policyId} in this org`);
      return byWasm(services, req, wasm, req.path === undefined ? wasm.entrypoints[0]! : req.path);
    }
    engine = policyEngine(p);
    path = normalizePath(req.path ?? p.packagePath);
    revision = p.revision;
    policyId = p.id;
  } else {
    const set = await activeSet(db, req.orgId);
    engine = set.engine;
    path = normalizePath(req.path ?? "");
    const wasm = await activeWasmForPath(db, req.orgId, set.revision, path);
    if (wasm) return byWasm(services, req, wasm, path);
    revision = set.revision;
    policyId = policyForPath(set, path)?.id ?? null;
  }
  const started = performance.now();
  let out: PathValue;
  try {
    out = evalAt(engine, path, req.input);
  } catch (e) {
    if (!(e instanceof RegoError)) throw e;
    throw new ApiError("bad_request", `evaluation failed: ${e.code}: ${e.message}`, {
      code: e.code,
      message: e.message,
      location: e.location ?? null,
    });
  }
  const durationNs = Math.round((performance.now() - started) * 1e6);
  const decisionId = crypto.randomUUID();
  await db.insert(decisionLogs).values({
    decisionId,
    orgId: req.orgId,
    path,
    input: req.input === undefined ? null : (req.input as object),
    // SQL NULL is "undefined"; a defined JSON null is stored as jsonb 'null'.
    result: !out.defined ? null : out.value === null ? sql`'null'::jsonb` : (out.value as object),
    timestamp: now(),
    policyId,
    policyRevision: revision,
    nodeId: req.nodeId ?? null,
    appId: req.appId ?? null,
    source: "server",
    labels: req.labels ?? {},
    durationNs,
  });
  return { ...out, decisionId, path, revision, policyId };
}

/** A decision by a Wasm policy at one of its entrypoints; any other path is a 400 naming them. */
async function byWasm(
  services: Services,
  req: DecideRequest,
  policy: WasmPolicyRow,
  rawPath: string,
): Promise<Decision> {
  const path = normalizePath(rawPath);
  if (!policy.entrypoints.includes(path)) {
    const message = `Wasm policy ${policy.id} has no entrypoint "${path}" (it serves: ${policy.entrypoints.join(", ")})`;
    throw new ApiError("validation_failed", `invalid request: body.path: ${message}`, [
      { path: "body.path", message },
    ]);
  }
  const d = await decideWasm(services, {
    orgId: req.orgId,
    policy,
    entrypoint: path,
    input: req.input,
    nodeId: req.nodeId,
    appId: req.appId,
    labels: req.labels,
  });
  return { ...d, path, revision: policy.revision, policyId: policy.id };
}
