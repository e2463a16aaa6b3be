import { z } from "zod";
import { BATCH_ID, BATCH_ID_RULE, Timestamp } from "./telemetry.ts";

/**
 * Governance at the edge: the policies a node enforces (in its state and in
 * `rego_policy_updated` events) and the decision logs it ships back
 * (`POST /v1/nodes/{id}/decisions`). Worker and agent both use these.
 */
export const POLICY_MODES = ["audit", "enforce"] as const;
export type PolicyMode = (typeof POLICY_MODES)[number];

/**
 * An active Rego module as a node receives it. `target_nodes` empty means
 * every node of the org; an event carries it so a node that is no longer
 * targeted knows to drop the policy.
 */
export const EdgeRegoPolicy = z.object({
  kind: z.literal("rego"),
  id: z.string(),
  name: z.string(),
  /** `tether.sandbox` for `package tether.sandbox`. */
  package_path: z.string(),
  source: z.string(),
  version: z.number().int(),
  /** The org revision of the policy's last write. */
  revision: z.number().int(),
  /** `audit`: decide and log, enforcers are told not to block; `enforce`: block. */
  mode: z.enum(POLICY_MODES),
  target_nodes: z.array(z.string()),
});
export type EdgeRegoPolicy = z.infer<typeof EdgeRegoPolicy>;

/**
 * An active policy compiled to Wasm by OPA (`opa build -t wasm`), evaluated
 * with opa-wasm. The event and the state carry its hash, not its bytes: the
 * node fetches them from `GET /v1/nodes/{node}/policies/{id}/wasm` (ETag =
 * the hash) and must check their SHA-256 against `sha256` before loading.
 */
export const EdgeWasmPolicy = z.object({
  kind: z.literal("wasm"),
  id: z.string(),
  name: z.string(),
  /** The entrypoints it serves, as data paths: `tether/authz/allow`. */
  entrypoints: z.array(z.string()),
  /** Lowercase hex SHA-256 of the module. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size_bytes: z.number().int(),
  version: z.number().int(),
  revision: z.number().int(),
  mode: z.enum(POLICY_MODES),
  target_nodes: z.array(z.string()),
});
export type EdgeWasmPolicy = z.infer<typeof EdgeWasmPolicy>;

/** Every kind of policy a node evaluates, told apart by `kind`. */
export const EdgePolicy = z.discriminatedUnion("kind", [EdgeRegoPolicy, EdgeWasmPolicy]);
export type EdgePolicy = z.infer<typeof EdgePolicy>;

/** Whether a policy applies to a node: untargeted (every node) or naming it. */
export const targetsNode = (p: { target_nodes: readonly string[] }, nodeId: string): boolean =>
  p.target_nodes.length === 0 || p.target_nodes.includes(nodeId);

/** `rego_policy_updated`: the policy's active version, or null (drop it). */
export const RegoPolicyUpdated = z.object({
  revision: z.number().int(),
  policy_id: z.string(),
  policy: EdgePolicy.nullable(),
});

/** Most decision-log entries one `POST /v1/nodes/{id}/decisions` may carry. */
export const MAX_DECISIONS_PER_BATCH = 1000;

const NUL = "\\u0000";
/** Postgres' jsonb refuses U+0000 in strings: such a value could never be stored. */
const storableJson = (v: unknown) => v === undefined || !JSON.stringify(v).includes(NUL);

/** `path`, label keys and values: text Postgres can store. */
const text = (max: number) =>
  z
    .string({ error: "must be a string" })
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !s.includes("\u0000"), "must not contain NUL characters");

/**
 * One decision as OPA's decision logs describe it. `result` absent means the
 * decision was undefined; `revision` is the org revision of the deciding
 * policy's version; `mode` is that policy's mode.
 */
export const DecisionLogEntry = z
  .object({
    decision_id: z.uuid({ error: "must be a UUID" }),
    /** Normalized data path, `tether/sandbox/allow` ("" = the whole data document). */
    path: text(1000),
    input: z.unknown().refine(storableJson, "must not contain NUL characters").optional(),
    result: z.unknown().refine(storableJson, "must not contain NUL characters").optional(),
    timestamp: Timestamp,
    policy_id: z.uuid({ error: "must be a UUID" }).nullable().default(null),
    revision: z
      .number({ error: "must be a number" })
      .int("must be an integer")
      .nonnegative("must not be negative")
      .nullable()
      .default(null),
    mode: z
      .enum(POLICY_MODES, { error: `must be one of ${POLICY_MODES.join(", ")}` })
      .nullable()
      .default(null),
    labels: z
      .record(text(100), text(1000), { error: "must be an object of strings" })
      .refine((l) => Object.keys(l).length <= 50, "at most 50 labels")
      .default({}),
    metrics: z
      .object({
        timer_eval_ns: z
          .number({ error: "must be a number" })
          .int("must be an integer")
          .nonnegative("must not be negative")
          .max(Number.MAX_SAFE_INTEGER),
      })
      .partial()
      .strict()
      .default({}),
  })
  .strict();
export type DecisionLogEntry = z.infer<typeof DecisionLogEntry>;
export type DecisionLogEntryInput = z.input<typeof DecisionLogEntry>;

export const DecisionBatch = z
  .object({
    /** The shipper's id for this batch (for its logs; each entry is deduplicated by decision_id). */
    batch_id: z.string({ error: "must be a string" }).regex(BATCH_ID, BATCH_ID_RULE).optional(),
    decisions: z
      .array(DecisionLogEntry, { error: "must be an array" })
      .min(1, "must hold at least one decision")
      .max(MAX_DECISIONS_PER_BATCH, `at most ${MAX_DECISIONS_PER_BATCH} decisions per batch`),
  })
  .strict();
export type DecisionBatch = z.infer<typeof DecisionBatch>;
export type DecisionBatchInput = z.input<typeof DecisionBatch>;

/** What `POST /v1/nodes/{id}/decisions` answers, also on a retry. */
export interface DecisionIngestResult {
  received: number;
  /** Stored now for the first time. */
  stored: number;
  /** Stored before (a retried batch): not stored again. */
  duplicates: number;
}
