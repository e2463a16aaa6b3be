import { randomUUID } from "node:crypto";
import {
  DecisionLogEntry,
  type EdgePolicy,
  normalizeDataPath,
  type PolicyMode,
} from "@tether/schema/wire";
import type { CompiledSet } from "./policy-set.ts";

/** Inputs and results bigger than this (as JSON) are logged without them, labelled why. */
export const MAX_LOGGED_VALUE_BYTES = 64 * 1024;

/** One local decision: the answer for the enforcer and the entry for the decision log. */
export interface LocalDecision {
  decisionId: string;
  /** Normalized, `tether/sandbox/allow`. */
  path: string;
  defined: boolean;
  value?: unknown;
  /** The policy owning the path, if one does. */
  policy: EdgePolicy | undefined;
  /** Its mode: `audit` tells the enforcer to log, not block. */
  mode: PolicyMode | undefined;
  log: DecisionLogEntry;
}

export interface DecideOptions {
  labels?: Record<string, string>;
  now?: () => Date;
  newId?: () => string;
}

/**
 * Evaluates one request against the compiled set and writes its decision-log
 * entry (OPA's fields; `revision` and `mode` are the owning policy's). Throws
 * what the set throws (RegoError, WasmPolicyError): nothing is logged then.
 *
 * @example
 * const d = decide(set.current, "data.tether.sandbox.allow", { syscall_name: "read" });
 * d.value; // true
 * d.mode; // "audit"
 */
export function decide(
  set: CompiledSet,
  rawPath: string,
  input: unknown,
  opts: DecideOptions = {},
): LocalDecision {
  const path = normalizeDataPath(rawPath);
  const policy = set.owner(path);
  const started = process.hrtime.bigint();
  const out = set.evaluate(path, input);
  const evalNs = Number(process.hrtime.bigint() - started);
  const decisionId = (opts.newId ?? randomUUID)();
  const log = logEntry({
    decision_id: decisionId,
    path,
    ...(input === undefined ? {} : { input }),
    ...(out.defined ? { result: out.value } : {}),
    timestamp: (opts.now?.() ?? new Date()).toISOString(),
    policy_id: policy?.id ?? null,
    revision: policy?.revision ?? null,
    mode: policy?.mode ?? null,
    labels: opts.labels ?? {},
    metrics: { timer_eval_ns: evalNs },
  });
  return { ...out, decisionId, path, policy, mode: policy?.mode, log };
}

/**
 * The entry as the control plane will accept it (the shared schema): an
 * input too large to ship, or one Postgres cannot store (NUL characters),
 * is left out and a label says why, so one odd request never blocks a batch.
 */
function logEntry(entry: DecisionLogEntry): DecisionLogEntry {
  let out = entry;
  for (const field of ["input", "result"] as const) {
    const bytes = out[field] === undefined ? 0 : Buffer.byteLength(JSON.stringify(out[field]));
    if (bytes > MAX_LOGGED_VALUE_BYTES) {
      out = without(out, field, `larger than ${MAX_LOGGED_VALUE_BYTES} bytes (${bytes})`);
    }
  }
  for (;;) {
    const checked = DecisionLogEntry.safeParse(out);
    if (checked.success) return checked.data;
    const issue = checked.error.issues[0];
    const field = issue?.path[0];
    if ((field !== "input" && field !== "result") || out[field] === undefined) {
      throw new Error(`decision log entry: ${issue?.path.join(".")}: ${issue?.message}`);
    }
    out = without(out, field, issue!.message);
  }
}

/** The entry without its input or result, and a label saying why (`input_dropped`). */
function without(
  entry: DecisionLogEntry,
  field: "input" | "result",
  why: string,
): DecisionLogEntry {
  const { [field]: _, ...rest } = entry;
  return { ...rest, labels: { ...entry.labels, [`${field}_dropped`]: why } };
}
