import type { EventType, NodeState, StatusReport } from "@tether/schema/wire";
import type { EventSourceMessage } from "eventsource-parser";
import type { AgentConfig } from "../config/schema.ts";
import type { Logger } from "../log.ts";
import { applyEvent } from "../state/apply-event.ts";
import { loadCachedState, saveCachedState } from "../state/cache.ts";
import type { AgentStatus } from "../state/status-file.ts";
import { createEventStream, type EventStream } from "../stream/event-stream.ts";
import { StatusRefused } from "../stream/ws-client.ts";
import { EnvelopeVerifier } from "../verify/verifier.ts";
import { Coalescer } from "./coalescer.ts";
import {
  type ControlPlaneApi,
  CredentialRefused,
  type Enforcement,
  type LocalDecisions,
} from "./ports.ts";
import { Reporter } from "./report.ts";

/** A ping's id is a UUID; anything else is not answered. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface DaemonDeps {
  config: AgentConfig;
  nodeId: string;
  api: ControlPlaneApi;
  enforcement: Enforcement;
  log: Logger;
  /** Delays of the retry loops (tests shorten them). */
  timing?: { retryBaseMs?: number; retryCapMs?: number; streamBackoffBaseMs?: number };
  fetch?: typeof fetch;
  /** Runs beside the daemon (the telemetry shipper): started and stopped with it. */
  telemetry?: { start(): void; stop(): Promise<void> };
  /** Local policy decisions (agent/src/governance): fed every new state, started and stopped with it. */
  edge?: LocalDecisions;
}

/**
 * The agent's loop: desired state from the control plane (or the cache when
 * it is unreachable), verified events applied to it, and reconciles of the
 * kernel — triggered by events, reconnects and a timer, one at a time.
 *
 * @example
 * const daemon = new Daemon({ config, nodeId, api, enforcement, log });
 * await daemon.start();
 * process.on("SIGTERM", () => daemon.stop());
 * await daemon.done; // resolves after stop(), or when the credential is refused
 */
export class Daemon {
  readonly #d: DaemonDeps;
  readonly #log: Logger;
  readonly #verifier: EnvelopeVerifier;
  readonly #reconciler: Coalescer;
  readonly #refetcher: Coalescer;
  #stream: EventStream | undefined;
  #state: NodeState | undefined;
  #source: AgentStatus["source"] = "cache";
  #timers: NodeJS.Timeout[] = [];
  readonly #report: Reporter;
  #stopping = false;
  /** The state changed since it was last written to the cache. */
  #cacheDirty = false;
  #finish!: (reason: string) => void;
  /** Resolves with why the daemon ended (`stopped` or `credential refused`). */
  readonly done: Promise<string>;

  constructor(deps: DaemonDeps) {
    this.#d = deps;
    this.#log = deps.log;
    this.#verifier = new EnvelopeVerifier({
      dataDir: deps.config.data_dir,
      staleWindowMs: deps.config.stale_window * 1000,
    });
    const retry = {
      retryBaseMs: deps.timing?.retryBaseMs ?? 1000,
      retryCapMs: deps.timing?.retryCapMs ?? 60_000,
    };
    this.#report = new Reporter({
      // Acks go up the event socket when the transport has one, else through POST /status.
      api: { ...deps.api, postStatus: (report) => this.#postStatus(report) },
      dataDir: deps.config.data_dir,
      nodeId: deps.nodeId,
      log: deps.log,
    });
    this.#reconciler = new Coalescer((reasons) => this.#reconcile(reasons), {
      log: deps.log,
      ...retry,
    });
    this.#refetcher = new Coalescer(() => this.#refetch(), { log: deps.log, ...retry });
    this.done = new Promise((resolve) => {
      this.#finish = resolve;
    });
  }

  /** The desired state the agent enforces now. */
  get state(): NodeState | undefined {
    return this.#state;
  }

  /** Starts enforcing: state (or cache), first reconcile, event stream, timers. */
  async start(): Promise<void> {
    const cfg = this.#d.config;
    const cached = loadCachedState(cfg.data_dir);
    // Local decisions answer from the cache (Wasm modules kept on disk) at once; a fetched state replaces it.
    if (cached) await this.#d.edge?.update(cached.state, { fetch: false });
    // A set that loads (or fails) after the reconcile that followed its state is reported then.
    this.#d.edge?.onErrorsChanged?.(() => this.#reconciler.trigger("local policies"));
    await this.#d.edge?.start();
    const fetched = await this.#refetch();
    if (this.#stopping) return;
    if (!fetched) {
      if (cached) {
        this.#log.warn("control plane unreachable: enforcing the cached state", {
          revision: cached.state.revision,
          saved_at: cached.savedAt,
        });
        this.#state = cached.state;
        this.#source = "cache";
        // Events past the cached seq may have been accepted but not cached: hear them again.
        await this.#verifier.resetFromState(cached.state);
        this.#reconciler.trigger("cache");
      } else {
        this.#log.warn("control plane unreachable and no cached state yet: retrying");
      }
      this.#refetcher.trigger("start");
    }
    this.#startStream();
    this.#d.telemetry?.start();
    this.#every(cfg.reconcile_interval * 1000, () => this.#reconciler.trigger("timer"));
    this.#every(cfg.heartbeat_interval * 1000, () => void this.#heartbeat());
  }

  /** Stops the stream and timers; tears down only when configured to (default: keep enforcing). */
  async stop(reason = "stopped"): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    for (const t of this.#timers) clearInterval(t);
    await this.#stream?.stop();
    await this.#refetcher.stop();
    await this.#reconciler.stop();
    await this.#d.telemetry?.stop();
    await this.#d.edge?.stop();
    if (this.#d.config.teardown_on_exit) {
      const errors = await this.#d.enforcement.teardown();
      if (errors.length > 0) this.#log.error("teardown incomplete", { errors });
      else this.#log.info("torn down: table and interface removed");
    } else {
      this.#log.info(
        "stopped; the ruleset and interface stay in place (teardown_on_exit is false)",
      );
    }
    if (this.#cacheDirty && this.#state) saveCachedState(this.#d.config.data_dir, this.#state);
    this.#writeStatus();
    this.#finish(reason);
  }

  /** Waits until no reconcile or refetch is running or pending (tests). */
  async settled(): Promise<void> {
    await this.#refetcher.idle();
    await this.#reconciler.idle();
  }

  #every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.#timers.push(t);
  }

  #startStream(): void {
    const cfg = this.#d.config;
    const backoff =
      this.#d.timing?.streamBackoffBaseMs === undefined
        ? {}
        : {
            baseMs: this.#d.timing.streamBackoffBaseMs,
            capMs: this.#d.timing.streamBackoffBaseMs * 8,
          };
    this.#stream = createEventStream(cfg.transport, {
      url: this.#d.api.eventsUrl(),
      headers: () => this.#d.api.authHeaders(),
      resumeFrom: () => (this.#verifier.lastSeq >= 0 ? String(this.#verifier.lastSeq) : undefined),
      idleTimeoutMs: cfg.idle_timeout * 1000,
      backoff,
      log: this.#log,
      ...(this.#d.fetch ? { fetch: this.#d.fetch } : {}),
      onEvent: (e) => this.#onEvent(e),
      onConnected: ({ reconnect }) => {
        // Offline start or a gap: the state may be behind. Either way, check the kernel.
        if (this.#source === "cache") this.#refetcher.trigger("connected");
        this.#reconciler.trigger(reconnect ? "reconnected" : "connected");
        this.#writeStatus();
      },
      onDisconnected: () => this.#writeStatus(),
      onFatal: () => this.#refused(),
    });
    this.#stream.start();
  }

  async #postStatus(report: StatusReport): Promise<void> {
    const send = this.#stream?.connected ? this.#stream.sendStatus : undefined;
    if (send) {
      try {
        await send(report);
        return;
      } catch (err) {
        if (err instanceof StatusRefused && err.code === "unauthorized") {
          throw new CredentialRefused(403, err.message);
        }
        this.#log.debug("status over the event socket failed; sending it over HTTP", {
          error: err as Error,
        });
      }
    }
    await this.#d.api.postStatus(report);
  }

  /** The Hub's liveness probe: answered up the socket, or over HTTP on SSE. Unsigned, so it changes nothing. */
  async #answerPing(data: string): Promise<void> {
    let id: unknown;
    try {
      id = (JSON.parse(data) as { id?: unknown }).id;
    } catch {
      // Checked below.
    }
    if (typeof id !== "string" || !UUID.test(id)) {
      this.#log.debug("ping without a valid id; not answered");
      return;
    }
    if (this.#stream?.sendPong(id)) return;
    try {
      await this.#d.api.pong(id);
    } catch (err) {
      this.#log.debug("answering a ping failed", { error: err as Error });
    }
  }

  async #onEvent(e: EventSourceMessage): Promise<void> {
    const type = e.event ?? "message";
    if (type === "ping") return this.#answerPing(e.data);
    const verdict = await this.#verifier.verify(e.data);
    if (!verdict.ok) {
      const level = verdict.reason === "old_seq" ? "info" : "warn";
      this.#log[level]("event rejected; nothing changed", {
        event: type,
        id: e.id ?? null,
        reason: verdict.reason,
        detail: verdict.detail,
      });
      return;
    }
    const eventType: EventType = verdict.envelope.event_type;
    const state = this.#state;
    if (!state) {
      this.#refetcher.trigger("event without state");
      return;
    }
    const result = applyEvent(state, {
      type: eventType,
      seq: verdict.envelope.seq,
      payload: verdict.payload,
    });
    switch (result.kind) {
      case "refetch":
        this.#log.info("snapshot required: refetching the state", { reason: result.reason });
        this.#refetcher.trigger("snapshot_required");
        return;
      case "invalid":
        this.#log.warn("event payload refused; nothing changed", {
          event: eventType,
          detail: result.reason,
        });
        return;
      case "unchanged":
        this.#state = result.state;
        this.#cacheDirty = true;
        return;
      case "changed":
        this.#state = result.state;
        this.#cacheDirty = true;
        void this.#d.edge?.update(result.state);
        if (eventType === "signing_key_rotated") {
          await this.#verifier.setKeys(result.state.signing_keys);
          this.#log.info("signing keys rotated", { trusted: this.#verifier.trustedKeyIds() });
        }
        this.#log.info("event applied", {
          event: eventType,
          seq: verdict.envelope.seq,
          revision: result.state.revision,
        });
        this.#reconciler.trigger(eventType);
    }
  }

  /** Fetches the full state; false when the control plane could not be reached. */
  async #refetch(): Promise<boolean> {
    try {
      const state = await this.#d.api.fetchState();
      const seenSeq = this.#verifier.lastSeq;
      this.#state = state;
      this.#source = "control-plane";
      void this.#d.edge?.update(state);
      this.#report.synced();
      await this.#verifier.resetFromState(state);
      saveCachedState(this.#d.config.data_dir, state);
      // Events applied while the fetch was in flight may be newer than the
      // state that replaced them: resume the stream from the state's seq so
      // the server replays them.
      if (seenSeq > state.seq) this.#stream?.reconnect();
      this.#log.info("state fetched", {
        revision: state.revision,
        seq: state.seq,
        peers: state.peers.length,
      });
      this.#reconciler.trigger("state");
      return true;
    } catch (err) {
      if (err instanceof CredentialRefused) {
        this.#refused();
        return true; // Nothing to retry.
      }
      this.#log.warn("state fetch failed", { error: err as Error });
      return false;
    }
  }

  async #reconcile(reasons: string[]): Promise<boolean> {
    const state = this.#state;
    if (!state) return true;
    if (this.#cacheDirty) {
      // Once per burst of events, not per event: a 10k-peer state is megabytes.
      this.#cacheDirty = false;
      saveCachedState(this.#d.config.data_dir, state);
    }
    const outcome = await this.#d.enforcement.reconcile(state);
    const fields = {
      reasons,
      revision: state.revision,
      steps: outcome.steps,
      peers: outcome.peerCount,
    };
    if (outcome.errors.length > 0)
      this.#log.error("reconcile failed", { ...fields, errors: outcome.errors });
    else if (outcome.applied)
      this.#log.info("reconciled", { ...fields, ruleset_hash: outcome.rulesetHash });
    else this.#log.debug("reconcile: nothing to do", fields);
    // Local-decision problems (a set that does not compile) are reported, not retried.
    const edgeErrors = this.#d.edge?.errors() ?? [];
    this.#writeStatus();
    try {
      await this.#report.reconciled(state, {
        ...outcome,
        errors: [...outcome.errors, ...edgeErrors],
      });
    } catch (err) {
      if (err instanceof CredentialRefused) this.#refused();
      else throw err;
    }
    return outcome.errors.length === 0;
  }

  async #heartbeat(): Promise<void> {
    try {
      await this.#d.api.heartbeat();
    } catch (err) {
      if (err instanceof CredentialRefused) return this.#refused();
      this.#log.debug("heartbeat failed", { error: err as Error });
    }
  }

  /** Not awaited by callers: stop() waits for the run that noticed the refusal. */
  #refused(): void {
    if (this.#stopping) return;
    this.#log.error(
      "the control plane no longer knows this node's credential (node deleted?); stopping. Run `tether-agent join` to enroll again.",
    );
    void this.stop("credential refused");
  }

  #writeStatus(): void {
    this.#report.write(
      this.#state,
      this.#source,
      this.#stream?.connected ?? false,
      this.#stream?.transport,
    );
  }
}
