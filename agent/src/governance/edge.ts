import { join } from "node:path";
import type { NodeState } from "@tether/schema/wire";
import type { Logger } from "../log.ts";
import { Sender, Spool } from "../spool/index.ts";
import { decide, type LocalDecision } from "./decide.ts";
import { type DecisionBatchPayload, DecisionLog, decisionSender } from "./decision-log.ts";
import { OpaServer } from "./opa-server.ts";
import { PolicySet } from "./policy-set.ts";

export interface EdgeOptions {
  nodeId: string;
  dataDir: string;
  /** Where the local endpoint listens; neither = not at all. */
  listen: { socket?: string | undefined; port?: number | undefined };
  /** `POST /v1/nodes/{id}/decisions` and the node credential's headers. */
  decisionsUrl: string;
  headers: () => Record<string, string>;
  log: Logger;
  fetch?: typeof fetch;
  /** Added to every decision-log entry. */
  labels?: Record<string, string>;
  /** Tests shorten these. */
  timing?: { flushAfterMs?: number; backoffBaseMs?: number; backoffCapMs?: number };
}

/**
 * Rego enforcement at the edge (DESIGN.md §7 "Local decisions"): the
 * verified policies of the node's state compiled into a {@link PolicySet},
 * answered on the local OPA endpoint, every decision logged to a disk spool
 * and shipped to the control plane in batches. It answers from whatever
 * state the daemon gives it, the cached one included, so it keeps working
 * while the control plane is away and across restarts.
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
  readonly #policies = new PolicySet();
  readonly #server: OpaServer;
  readonly #spool: Spool<DecisionBatchPayload>;
  readonly #decisions: DecisionLog;
  readonly #sender: Sender<DecisionBatchPayload>;
  #listenError: string | undefined;
  #started = false;

  constructor(opts: EdgeOptions) {
    this.#o = opts;
    this.#log = opts.log.child({ component: "edge" });
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

  /** A new desired state: recompiles when its policies changed. */
  update(state: NodeState): void {
    const outcome = this.#policies.update(state.rego_policies);
    if (outcome.kind === "compiled") {
      this.#log.info("rego policies loaded", {
        revision: state.revision,
        policies: state.rego_policies.map((p) => `${p.name}@${p.version}`),
      });
    } else if (outcome.kind === "failed") {
      this.#log.error("rego policies do not compile; the previous set keeps answering", {
        revision: state.revision,
        errors: outcome.errors,
      });
    }
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

  /** What the status report should say: compile failures, a refused listen. */
  errors(): string[] {
    return [...this.#policies.errors, ...(this.#listenError ? [this.#listenError] : [])];
  }

  /** Closes the endpoint, seals held decisions to disk, stops shipping (the spool keeps the rest). */
  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    await this.#server.close();
    this.#decisions.close();
    await this.#sender.stop();
  }
}
