import { and, eq, sql } from "drizzle-orm";
import { RegoError } from "@tether/rego";
import { decisionLogs, regoPolicies } from "@tether/schema/tables";
import { ApiError } from "../../errors.ts";
import type { Services } from "../../context.ts";
import { evalAt, normalizePath, type PathValue } from "./compile.ts";
import { activeSet, policyEngine, policyForPath } from "./engines.ts";

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
 * 400 naming the Rego error and is not logged.
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
    if (!p) throw new ApiError("not_found", `no Rego policy ${req.policyId} in this org`);
    engine = policyEngine(p);
    path = normalizePath(req.path ?? p.packagePath);
    revision = p.revision;
    policyId = p.id;
  } else {
    const set = await activeSet(db, req.orgId);
    engine = set.engine;
    path = normalizePath(req.path ?? "");
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
