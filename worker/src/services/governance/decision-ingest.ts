import { decisionLogs } from "@tether/schema/tables";
import {
  DecisionBatch,
  type DecisionIngestResult,
  type DecisionLogEntry,
  MAX_DECISIONS_PER_BATCH,
} from "@tether/schema/wire";
import { sql } from "drizzle-orm";
import { ApiError, fieldIssues } from "../../errors.ts";
import type { Database } from "../db.ts";
import { cappedValidationError } from "../ingest/validate.ts";

/**
 * A node's batch checked whole before anything is written: 413 past
 * {@link MAX_DECISIONS_PER_BATCH} entries, else 400 naming each offending
 * `body.decisions[i].field` and why.
 */
export function validateDecisionBatch(json: unknown): DecisionBatch {
  const list = (json as { decisions?: unknown } | null)?.decisions;
  if (Array.isArray(list) && list.length > MAX_DECISIONS_PER_BATCH) {
    throw new ApiError(
      "payload_too_large",
      `a batch carries at most ${MAX_DECISIONS_PER_BATCH} decisions; this one has ${list.length}: split it`,
      { max_decisions: MAX_DECISIONS_PER_BATCH, decisions: list.length },
    );
  }
  const parsed = DecisionBatch.safeParse(json);
  if (parsed.success) return parsed.data;
  const seen = new Set<string>();
  const issues = fieldIssues(parsed.error.issues, "body").filter(
    (i) => !seen.has(i.path) && seen.add(i.path),
  );
  if (issues.length === 1 && issues[0]?.path === "body") {
    issues[0].message = "must be a JSON object ({decisions: [...]})";
  }
  throw cappedValidationError(issues);
}

/** jsonb for a JSON value: SQL NULL for absent, the JSON `null` for a defined null. */
const jsonb = (v: unknown) => (v === undefined ? null : v === null ? sql`'null'::jsonb` : v);

/**
 * Stores an agent's decisions (`source: "agent"`, the node and org from its
 * credential) in one statement. A decision id seen before is skipped, so a
 * retried batch stores nothing twice and says how many were new.
 */
export async function storeAgentDecisions(
  db: Database,
  node: { orgId: string; nodeId: string },
  decisions: readonly DecisionLogEntry[],
): Promise<DecisionIngestResult> {
  const inserted = await db
    .insert(decisionLogs)
    .values(
      decisions.map((d) => ({
        decisionId: d.decision_id,
        orgId: node.orgId,
        path: d.path,
        input: jsonb(d.input),
        result: jsonb(d.result),
        timestamp: new Date(d.timestamp),
        policyId: d.policy_id,
        policyRevision: d.revision,
        nodeId: node.nodeId,
        appId: null,
        source: "agent" as const,
        mode: d.mode,
        labels: d.labels,
        durationNs: d.metrics.timer_eval_ns ?? null,
      })),
    )
    .onConflictDoNothing({ target: decisionLogs.decisionId })
    .returning({ id: decisionLogs.decisionId });
  return {
    received: decisions.length,
    stored: inserted.length,
    duplicates: decisions.length - inserted.length,
  };
}
