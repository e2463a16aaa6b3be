import type { EventSourceMessage } from "eventsource-parser";
import type { Logger } from "../log.ts";
import { type BackoffOptions, backoffDelay } from "./backoff.ts";

/** What both transports of the event stream take. */
export interface StreamClientOptions {
  /** The events URL (`http(s)://…/v1/nodes/{id}/events`). */
  url: string;
  /** Request headers for each attempt (the credential is read fresh each time). */
  headers: () => Record<string, string>;
  /** The `Last-Event-ID` to send on each (re)connect; default: the id of the last event received. */
  resumeFrom?: () => string | undefined;
  /** Reconnect when nothing (keep-alives included) arrives for this long. */
  idleTimeoutMs: number;
  backoff?: Partial<BackoffOptions>;
  /** Called for each event, in order; a throw is logged and the event skipped. */
  onEvent: (event: EventSourceMessage) => void | Promise<void>;
  /** After every successful connect; `reconnect` is false only for the first. */
  onConnected?: (info: { reconnect: boolean }) => void;
  onDisconnected?: (reason: string) => void;
  /** The server refused the credential (401/403): the client has stopped. */
  onFatal?: (status: number, body: string) => void;
  log: Logger;
}

/**
 * How one connection ended. `fatal`: the credential was refused (stop);
 * `unsupported`: the server does not speak this transport (the caller may
 * switch); `error`: reconnect after a backoff.
 */
export type ConnectOutcome =
  | { kind: "fatal" }
  | { kind: "unsupported"; reason: string }
  | { kind: "error"; reason: string };

/**
 * The reconnect loop both transports share: connect, deliver events in
 * order, and on a drop back off with full jitter (honouring the server's
 * `retry:`), resuming with `Last-Event-ID`. Only consecutive failures grow
 * the backoff; a refused credential stops for good.
 */
export abstract class ReconnectingStream {
  protected readonly opts: StreamClientOptions;
  readonly #backoff: BackoffOptions;
  protected stopped = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  protected lastId: string | undefined;
  protected serverRetryMs: number | undefined;
  #connects = 0;
  #connectedNow = false;
  /** Why the loop ended for good (`stopped`, `refused`, or `unsupported: …`). */
  #ended: string | undefined;

  constructor(opts: StreamClientOptions) {
    this.opts = opts;
    this.#backoff = { baseMs: 500, capMs: 30_000, ...opts.backoff };
  }

  get lastEventId(): string | undefined {
    return this.lastId;
  }

  /** True while a stream is open. */
  get connected(): boolean {
    return this.#connectedNow;
  }

  start(): void {
    if (this.#loop) return;
    this.#loop = this.#run();
  }

  /** Resolves when the loop has ended, with why. */
  async ended(): Promise<string> {
    await this.#loop;
    return this.#ended ?? "stopped";
  }

  /** Stops and waits for the current connection to close. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abortCurrent("stopped");
    this.#wake?.();
    await this.#loop;
  }

  /** Drops the current connection (it reconnects). */
  reconnect(): void {
    this.abortCurrent("reconnect requested");
  }

  /** One connection, until it ends. Calls {@link opened} once it is open. */
  protected abstract connectOnce(resume: string | undefined): Promise<ConnectOutcome>;

  /** Closes the current connection, if any. */
  protected abstract abortCurrent(reason: string): void;

  /** The connection is open and events may flow. */
  protected opened(resume: string | undefined): void {
    this.#connectedNow = true;
    this.opts.onConnected?.({ reconnect: this.#connects++ > 0 });
    this.opts.log.info("event stream: connected", {
      transport: this.transport,
      resume_from: resume ?? null,
    });
  }

  protected abstract readonly transport: string;

  /** The credential was refused: log it and stop for good. */
  protected refused(status: number, body: string): ConnectOutcome {
    this.opts.log.error(
      "event stream: the control plane refused this node's credential; stopping (was the node deleted? run `tether-agent join` again)",
      { status, body },
    );
    this.stopped = true;
    this.opts.onFatal?.(status, body);
    return { kind: "fatal" };
  }

  /** Runs events one at a time, in arrival order; a failing handler skips that event. */
  protected deliverInOrder(): {
    push: (event: EventSourceMessage) => void;
    drained: () => Promise<void>;
  } {
    let queue = Promise.resolve();
    return {
      push: (event) => {
        if (event.id !== undefined) this.lastId = event.id;
        queue = queue.then(async () => {
          try {
            await this.opts.onEvent(event);
          } catch (err) {
            this.opts.log.warn("event stream: event skipped", {
              event: event.event ?? "message",
              id: event.id ?? null,
              error: err instanceof Error ? err.message : String(err),
            });
          }
        });
      },
      drained: () => queue,
    };
  }

  async #run(): Promise<void> {
    const log = this.opts.log;
    let attempt = 0;
    while (!this.stopped) {
      const resume = this.opts.resumeFrom ? this.opts.resumeFrom() : this.lastId;
      const outcome = await this.connectOnce(resume).catch(
        (err: unknown): ConnectOutcome => ({
          kind: "error",
          reason: err instanceof Error ? err.message : String(err),
        }),
      );
      const wasConnected = this.#connectedNow;
      if (wasConnected) {
        this.#connectedNow = false;
        this.opts.onDisconnected?.(outcome.kind === "fatal" ? "refused" : outcome.reason);
      }
      if (outcome.kind === "fatal") {
        this.#ended = "refused";
        return;
      }
      if (outcome.kind === "unsupported") {
        this.#ended = `unsupported: ${outcome.reason}`;
        return;
      }
      if (this.stopped) return;
      if (wasConnected) attempt = 0;
      const delay = backoffDelay(attempt, this.serverRetryMs, this.#backoff);
      attempt++;
      log.warn("event stream: disconnected, reconnecting", {
        transport: this.transport,
        reason: outcome.reason,
        delay_ms: delay,
        attempt,
      });
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        this.#wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }
}
