import type { NodeMode } from "@tether/schema/wire";
import type { PolicyLogger } from "../policy/engine.ts";
import type { Runner } from "../sys/runner.ts";
import { type ActualNode, readActual } from "./actual.ts";
import { type DesiredNode, derive } from "./desired.ts";
import {
  type Executors,
  execute,
  executePeerBatch,
  PEER_BATCH,
  type PeerStep,
} from "./executors.ts";
import { type Dependency, describeStep, plan, type Step } from "./plan.ts";

export interface StepOutcome {
  step: Step;
  /** `ok`, `failed` (see `error`) or `skipped` (a step it needs failed). */
  status: "ok" | "failed" | "skipped";
  error?: string;
}

export interface ReconcileResult {
  /** The machine now matches the desired state: every planned step succeeded (true for a no-op). */
  applied: boolean;
  /** At least one write succeeded. */
  changed: boolean;
  steps: StepOutcome[];
  /** Read failures, failed and skipped steps, left-out peers: what `/status` reports. */
  errors: string[];
  /** Hash of the desired ruleset (what `/status` acks; the table holds it once applied). */
  rulesetHash: string;
  /** WireGuard peers the state makes visible (and configured, when `applied`). */
  peerCount: number;
  revision: number;
  mode: NodeMode;
}

export interface ReconcileOptions {
  log?: PolicyLogger & { info(msg: string, fields?: Record<string, unknown>): void };
  /** Replaces the kernel reads (tests). */
  readActual?: (runner: Runner, iface: string, table: string) => Promise<ActualNode>;
  executors?: Executors;
}

/** Consecutive peer steps from `start` that can run now, at most {@link PEER_BATCH}. */
function peerBatch(steps: readonly Step[], start: number, failed: Set<Dependency>): PeerStep[] {
  const out: PeerStep[] = [];
  for (let i = start; i < steps.length && out.length < PEER_BATCH; i++) {
    const s = steps[i]!;
    if (s.kind !== "removePeer" && s.kind !== "setPeer") break;
    if (s.needs.some((d) => failed.has(d))) break;
    out.push(s);
  }
  return out;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * One pass: read the machine, plan, execute, report. Failures are
 * aggregated like the seed's `errors.Join`: a failed step does not stop
 * independent ones; steps that need it are skipped. A failed nft apply
 * changes nothing (one transaction), so the previous ruleset stays in
 * force; it is reported and retried on the next pass. An in-sync machine
 * costs three reads and no writes.
 *
 * @example
 * const result = await reconcile({ state, iface: "tether0", listenPort: 51820, privateKeyPath }, runner, { log });
 * await postStatus({ applied_revision: result.revision, ruleset_hash: result.rulesetHash, peer_count: result.peerCount, mode: result.mode, errors: result.errors });
 */
export async function reconcile(
  desired: DesiredNode,
  runner: Runner,
  opts: ReconcileOptions = {},
): Promise<ReconcileResult> {
  const table = desired.table ?? "tether";
  const derived = derive(desired, opts.log);
  const actual = await (opts.readActual ?? readActual)(runner, desired.iface, table);
  const steps = plan(desired, actual, derived);
  const errors = [...actual.errors, ...derived.problems];
  const failed = new Set<Dependency>();
  const outcomes: StepOutcome[] = [];
  let changed = false;
  const run = async (step: Step) => {
    try {
      await execute(runner, step, opts.executors);
      changed = true;
      outcomes.push({ step, status: "ok" });
      opts.log?.info("reconcile: step done", { step: describeStep(step) });
    } catch (e) {
      if (step.kind === "applyRuleset") failed.add("ruleset");
      if (step.kind === "createLink") failed.add("link");
      outcomes.push({ step, status: "failed", error: message(e) });
      errors.push(`${describeStep(step)}: ${message(e)}`);
      opts.log?.warn("reconcile: step failed", { step: describeStep(step), error: message(e) });
    }
  };
  for (let i = 0; i < steps.length; ) {
    const step = steps[i]!;
    const blocker = step.needs.find((d) => failed.has(d));
    if (blocker) {
      outcomes.push({ step, status: "skipped", error: `${blocker} step failed` });
      errors.push(`${describeStep(step)}: skipped, ${blocker} step failed`);
      i++;
      continue;
    }
    const batch = opts.executors ? [] : peerBatch(steps, i, failed);
    if (batch.length > 1) {
      i += batch.length;
      try {
        await executePeerBatch(runner, batch);
        changed = true;
        for (const s of batch) outcomes.push({ step: s, status: "ok" });
        opts.log?.info("reconcile: peers set", { count: batch.length });
      } catch {
        for (const s of batch) await run(s); // one by one, to tell which peer failed
      }
      continue;
    }
    await run(step);
    i++;
  }
  return {
    applied: actual.unreadable.length === 0 && outcomes.every((o) => o.status === "ok"),
    changed,
    steps: outcomes,
    errors,
    rulesetHash: derived.ruleset.hash,
    peerCount: derived.peers.length,
    revision: desired.state.revision,
    mode: derived.mode,
  };
}
