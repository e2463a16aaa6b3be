import type { NodeState, RegisterResponse, StatusReport } from "@tether/schema/wire";

/**
 * What the daemon needs from the outside world, as small interfaces with
 * fakes in the tests: the kernel side (reconcile/teardown) and the control
 * plane's agent protocol.
 */

/** The result of one reconcile run (the core's `reconcile(...)` result, as the daemon uses it). */
export interface ReconcileOutcome {
  /** Something was written to the kernel. */
  applied: boolean;
  /** How many steps ran. */
  steps: number;
  errors: string[];
  rulesetHash: string | null;
  peerCount: number;
}

/** Makes the desired state true on this machine. */
export interface Enforcement {
  reconcile(desired: NodeState): Promise<ReconcileOutcome>;
  /** Removes the table and the interface; returns the errors (empty when clean). */
  teardown(): Promise<string[]>;
}

/** Local policy decisions beside the kernel enforcement (agent/src/governance/edge.ts). */
export interface LocalDecisions {
  start(): Promise<void>;
  /**
   * A new desired state: its policies may have changed. Resolves once they
   * answer or failed to load (Wasm modules may be fetched meanwhile); never
   * rejects. `fetch: false`: nothing is fetched (the cached state at start).
   */
  update(state: NodeState, opts?: { fetch?: boolean }): Promise<void>;
  /** Problems for the status report (policies that do not load, a refused listen). */
  errors(): string[];
  /** Tells the daemon that {@link errors} changed after the update that caused it was handed over. */
  onErrorsChanged?(listener: () => void): void;
  stop(): Promise<void>;
}

/** The control plane answered 401/403: this node's credential is unknown (node deleted). */
export class CredentialRefused extends Error {
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(`the control plane refused this node's credential (HTTP ${status}): ${detail}`);
    this.name = "CredentialRefused";
  }
}

/** Any other failed call (network, 5xx, unexpected answer): retried. */
export class ControlPlaneError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "ControlPlaneError";
  }
}

export interface ControlPlaneApi {
  fetchState(): Promise<NodeState>;
  postStatus(report: StatusReport): Promise<void>;
  heartbeat(): Promise<void>;
  /** Answers the Hub's `ping` event (SSE transport; on a WebSocket the answer goes up the socket). */
  pong(pingId: string): Promise<void>;
  deregister(): Promise<void>;
  /** Where the event stream is, and the headers it needs. */
  eventsUrl(): string;
  authHeaders(): Record<string, string>;
}

export type { NodeState, RegisterResponse, StatusReport };
