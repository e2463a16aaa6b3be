import { join } from "node:path";
import type { EdgePolicy, NodeState } from "@tether/schema/wire";
import type { Logger } from "../log.ts";
import { Sender, Spool } from "../spool/index.ts";
import { decide, type LocalDecision } from "./decide.ts";
import { type DecisionBatchPayload, DecisionLog, decisionSender } from "./decision-log.ts";
import { OpaServer } from "./opa-server.ts";
import { PolicySet, type UpdateOutcome } from "./policy-set.ts";
import { WasmModules, wasmModulesDir } from "./wasm-modules.ts";
import { fetchWasmModule } from "./wasm-policy.ts";

export interface EdgeOptions {
  nodeId: string;
  dataDir: string;
  /** Where the local endpoint listens; neither = not at all. */
  listen: { socket?: string | undefined; port?: number | undefined };
  /** The control plane's base URL: Wasm modules come from `GET /v1/nodes/{id}/policies/{policyId}/wasm`. */
  server: string;
  /** The node credential, for the module fetches (never logged). */
  credential: string;
  /** `POST /v1/nodes/{id}/decisions` and the node credential's headers. */
  decisionsUrl: string;
  headers: () => Record<string, string>;
  log: Logger;
  fetch?: typeof fetch;
  /** Added to every decision-log entry. */
  labels?: Record<string, string>;
  /** Tests shorten these. */
  timing?: {
    flushAfterMs?: number;
    backoffBaseMs?: number;
    backoffCapMs?: number;
    /** One module fetch gives up after this long (default 30 s). */
    moduleTimeoutMs?: number;
    /** A set whose modules could not be fetched is tried again after this, doubling (default 1 s … 60 s). */
    loadRetryBaseMs?: number;
    loadRetryCapMs?: number;
  };
}

/**
 * Policy enforcement at the edge (DESIGN.md §7 "Local decisions"): the
 * verified policies of the node's state — Rego compiled, Wasm modules
 * fetched by hash and kept on disk — in a {@link PolicySet}, answered on
 * the local OPA endpoint, every decision logged to a disk spool and shipped
 * to the control plane in batches. It answers from whatever state the
 * daemon gives it, the cached one included (with the modules kept on disk),
 * so it keeps working while the control plane is away and across restarts.
 * A set whose modules could not be fetched is tried again with backoff.
 *
 * @example
 * const edge = new EdgeGovernance({ nodeId, dataDir, listen: { socket }, decisionsUrl, headers, log });
 * await edge.start();
 * edge.update(state); // on every new desired state
 * await edge.stop(); // flushes the decision log to disk
 */
export class EdgeGovernance {
  readonly #o: EdgeOptions;
  readonly #log: Logger;
  readonly #modules: WasmModules;
  readonly #policies: PolicySet;
  readonly #server: OpaServer;
  readonly #spool: Spool<DecisionBatchPayload>;
  readonly #decisions: DecisionLog;
  readonly #sender: Sender<DecisionBatchPayload>;
  #listenError: string | undefined;
  #started = false;
  #stopped = false;
  /** The newest state given: a retry loads its policies. */
  #latest: NodeState | undefined;
  #retry: NodeJS.Timeout | undefined;
  #retryDelayMs = 0;
  /** The Wasm modules of the set that answered before the current one (kept on disk too). */
  #previousHashes = new Set<string>();
  #reportedErrors = "[]";
  /** The reasons of the last failure logged as an error. */
  #loggedFailure: string | undefined;
  #onErrorsChanged: (() => void) | undefined;

  constructor(opts: EdgeOptions) {
    this.#o = opts;
    this.#log = opts.log.child({ component: "edge" });
    const timeoutMs = opts.timing?.moduleTimeoutMs ?? 30_000;
    this.#modules = new WasmModules({
      dir: wasmModulesDir(opts.dataDir),
      log: this.#log,
      fetch: (policy, signal) =>
        fetchWasmModule({
          url: opts.server,
          nodeId: opts.nodeId,
          policyId: policy.id,
          credential: opts.credential,
          sha256: policy.sha256,
          signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
          ...(opts.fetch ? { fetch: opts.fetch } : {}),
        }),
    });
    this.#policies = new PolicySet((policy, o) => this.#modules.load(policy, o));
    this.#spool = new Spool<DecisionBatchPayload>({
      dir: join(opts.dataDir, "spool", "decisions"),
      log: this.#log,
      idPrefix: opts.nodeId,
    });
    this.#decisions = new DecisionLog({
      spool: this.#spool,
      log: this.#log,
      ...(opts.timing?.flushAfterMs === undefined
        ? {}
        : { flushAfterMs: opts.timing.flushAfterMs }),
    });
    this.#sender = new Sender({
      spool: this.#spool,
      log: this.#log,
      name: "decisions",
      status: { dataDir: opts.dataDir },
      backoff: {
        baseMs: opts.timing?.backoffBaseMs ?? 1000,
        capMs: opts.timing?.backoffCapMs ?? 60_000,
      },
      extra: () => ({ ...this.#decisions.counters, held: this.#decisions.held }),
      send: decisionSender({
        url: opts.decisionsUrl,
        headers: opts.headers,
        ...(opts.fetch ? { fetch: opts.fetch } : {}),
      }),
    });
    this.#server = new OpaServer(
      { ready: () => this.ready(), decide: (path, input) => this.decide(path, input) },
      this.#log,
    );
  }

  /** Where the local endpoint listens. */
  get addresses(): string[] {
    return this.#server.addresses;
  }

  /** The local endpoint's TCP port, when it listens on one. */
  get port(): number | undefined {
    return this.#server.port;
  }

  /**
   * Opens the local endpoint and starts shipping spooled decisions. An
   * endpoint that cannot listen is logged and reported in {@link errors};
   * the rest of the agent runs on.
   */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    this.#stopped = false;
    this.#sender.start();
    try {
      await this.#server.listen(this.#o.listen);
      if (this.#server.addresses.length > 0) {
        this.#log.info("local OPA endpoint listening", { addresses: this.#server.addresses });
      }
    } catch (err) {
      this.#listenError = `local OPA endpoint: cannot listen: ${(err as Error).message}`;
      this.#log.error("local OPA endpoint: cannot listen", { error: err as Error });
      await this.#server.close();
    }
  }

  /**
   * A new desired state: rebuilds the policy set when its policies changed
   * (Wasm modules fetched unless kept). Resolves when that set answers, or
   * failed (the previous set answers on); never rejects. `fetch: false`
   * (the cached state at start) uses only modules kept on disk, so a
   * control plane that does not answer cannot hold the start up; a missing
   * module is fetched by the retry.
   */
  async update(state: NodeState, opts: { fetch?: boolean } = {}): Promise<void> {
    this.#latest = state;
    clearTimeout(this.#retry);
    this.#retry = undefined;
    let outcome: UpdateOutcome;
    try {
      outcome = await this.#policies.update(state.rego_policies, opts);
    } catch (err) {
      this.#log.error("policy set: unexpected error", { error: err as Error });
      return;
    }
    const policies = state.rego_policies.map((p) => `${p.kind}:${p.name}@${p.version}`);
    switch (outcome.kind) {
      case "compiled":
        this.#log.info("policies loaded", { revision: state.revision, policies });
        this.#keepModules();
        this.#retryDelayMs = 0;
        this.#loggedFailure = undefined;
        break;
      case "unchanged":
        this.#retryDelayMs = 0;
        this.#loggedFailure = undefined;
        break;
      case "failed":
        this.#logFailure(state, outcome);
        if (outcome.retryable) this.#scheduleRetry(state);
        break;
      case "superseded":
        break;
    }
    this.#reportErrorsIfChanged();
  }

  /**
   * Called when {@link errors} changes after {@link update} returned to its
   * caller's first await: a module fetched or refused later, a retry that loaded.
   */
  onErrorsChanged(listener: () => void): void {
    this.#onErrorsChanged = listener;
  }

  /** True once a policy set (possibly empty) answers. */
  ready(): boolean {
    return this.#policies.current !== undefined;
  }

  /** Decides against the current set and logs the decision. */
  decide(rawPath: string, input: unknown): LocalDecision {
    const set = this.#policies.current;
    if (!set) throw new Error("no policy set loaded");
    const d = decide(set, rawPath, input, { labels: this.#o.labels ?? {} });
    this.#decisions.add(d.log);
    return d;
  }

  /** What the status report should say: a set that cannot load (and why), a refused listen. */
  errors(): string[] {
    return [...this.#policies.errors, ...(this.#listenError ? [this.#listenError] : [])];
  }

  /** Closes the endpoint, seals held decisions to disk, stops shipping (the spool keeps the rest). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retry);
    this.#retry = undefined;
    await this.#policies.cancel();
    if (!this.#started) return;
    this.#started = false;
    await this.#server.close();
    this.#decisions.close();
    await this.#sender.stop();
  }

  /** Said once per set of reasons: a retry failing the same way is only a debug line. */
  #logFailure(state: NodeState, outcome: Extract<UpdateOutcome, { kind: "failed" }>): void {
    const reasons = JSON.stringify(outcome.errors);
    const level = reasons === this.#loggedFailure ? "debug" : "error";
    this.#loggedFailure = reasons;
    this.#log[level]("policies cannot load; the previous set keeps answering", {
      revision: state.revision,
      errors: outcome.errors,
      ...(outcome.retryable ? { retry_in_ms: this.#nextRetryDelay() } : {}),
    });
  }

  #nextRetryDelay(): number {
    const base = this.#o.timing?.loadRetryBaseMs ?? 1000;
    const cap = this.#o.timing?.loadRetryCapMs ?? 60_000;
    return Math.min(cap, this.#retryDelayMs === 0 ? base : this.#retryDelayMs * 2);
  }

  /** Loads the same state's policies again later, unless a newer state or stop() comes first. */
  #scheduleRetry(state: NodeState): void {
    if (this.#stopped || this.#latest !== state) return;
    clearTimeout(this.#retry);
    this.#retryDelayMs = this.#nextRetryDelay();
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (this.#latest === state && !this.#stopped) void this.update(state);
    }, this.#retryDelayMs);
    this.#retry.unref();
  }

  /** Deletes the modules neither the answering set nor the one before it uses. */
  #keepModules(): void {
    const current = wasmHashes(this.#policies.current?.policies ?? []);
    this.#modules.retain(new Set([...current, ...this.#previousHashes]));
    this.#previousHashes = current;
  }

  #reportErrorsIfChanged(): void {
    const now = JSON.stringify(this.errors());
    if (now === this.#reportedErrors) return;
    this.#reportedErrors = now;
    this.#onErrorsChanged?.();
  }
}

const wasmHashes = (policies: readonly EdgePolicy[]) =>
  new Set(policies.flatMap((p) => (p.kind === "wasm" ? [p.sha256] : [])));
