import type { NodeState } from "@tether/schema/wire";
import type { Logger } from "../log.ts";
import { type AgentStatus, writeStatus } from "../state/status-file.ts";
import { type ControlPlaneApi, CredentialRefused, type ReconcileOutcome } from "./ports.ts";

export const AGENT_VERSION = "0.1.0";

/**
 * What the daemon tells others about itself: the `/status` ack to the
 * control plane (sent after each apply, and until it has been heard) and the
 * local status file that `tether-agent status` prints.
 */
export class Reporter {
  #lastSync: string | null = null;
  #lastReconcile: string | null = null;
  #lastOutcome: ReconcileOutcome | undefined;
  #acked: string | undefined;

  constructor(
    private readonly deps: { api: ControlPlaneApi; dataDir: string; nodeId: string; log: Logger },
  ) {}

  /** A full state was fetched. */
  synced(): void {
    this.#lastSync = new Date().toISOString();
  }

  /**
   * Records a reconcile and acks it unless the control plane heard this exact
   * report already. Throws {@link CredentialRefused}; other failures are logged and resent next time.
   */
  async reconciled(state: NodeState, outcome: ReconcileOutcome): Promise<void> {
    this.#lastReconcile = new Date().toISOString();
    this.#lastOutcome = outcome;
    const report = {
      applied_revision: state.revision,
      ruleset_hash: outcome.rulesetHash,
      peer_count: outcome.peerCount,
      mode: state.node.mode,
      errors: outcome.errors.slice(0, 50).map((e) => e.slice(0, 2000)),
      agent_version: AGENT_VERSION,
    };
    const key = JSON.stringify(report);
    if (key === this.#acked) return;
    try {
      await this.deps.api.postStatus(report);
      this.#acked = key;
    } catch (err) {
      if (err instanceof CredentialRefused) throw err;
      this.deps.log.warn("status report failed; will resend", { error: err as Error });
    }
  }

  /** Writes the status file (no-op before there is a state). */
  write(
    state: NodeState | undefined,
    source: AgentStatus["source"],
    connected: boolean,
    transport?: AgentStatus["transport"],
  ): void {
    if (!state) return;
    writeStatus(this.deps.dataDir, {
      node_id: this.deps.nodeId,
      pid: process.pid,
      revision: state.revision,
      seq: state.seq,
      mode: state.node.mode,
      peers: state.peers.map((p) => ({ id: p.id, name: p.name, mesh_ip: p.mesh_ip })),
      source,
      connected,
      ...(transport ? { transport } : {}),
      last_sync: this.#lastSync,
      last_reconcile: this.#lastReconcile,
      ruleset_hash: this.#lastOutcome?.rulesetHash ?? null,
      errors: this.#lastOutcome?.errors ?? [],
      updated_at: new Date().toISOString(),
    });
  }
}
