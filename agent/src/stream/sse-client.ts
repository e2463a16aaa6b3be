import { createParser, type EventSourceMessage } from "eventsource-parser";
import type { Logger } from "../log.ts";
import { type BackoffOptions, backoffDelay } from "./backoff.ts";

export interface SseClientOptions {
  url: string;
  /** Request headers for each attempt (the credential is read fresh each time). */
  headers: () => Record<string, string>;
  /** The `Last-Event-ID` to send on each (re)connect; default: the id of the last event received. */
  resumeFrom?: () => string | undefined;
  /** Reconnect when no byte (keep-alive comments included) arrives for this long. */
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
  fetch?: typeof fetch;
}

/**
 * An SSE client over `fetch` streaming, parsed by `eventsource-parser`.
 * Reconnects with `Last-Event-ID`, backs off with jitter, honours `retry:`,
 * reconnects after `idleTimeoutMs` of silence and stops for good on 401/403.
 *
 * @example
 * const client = new SseClient({ url, headers: () => ({ authorization }), idleTimeoutMs: 45_000,
 *   onEvent: (e) => handle(e), log });
 * client.start();
 * // … later
 * await client.stop();
 */
export class SseClient {
  readonly #opts: SseClientOptions;
  readonly #backoff: BackoffOptions;
  #stopped = false;
  #abort: AbortController | undefined;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #lastEventId: string | undefined;
  #serverRetryMs: number | undefined;
  #connects = 0;

  constructor(opts: SseClientOptions) {
    this.#opts = opts;
    this.#backoff = { baseMs: 500, capMs: 30_000, ...opts.backoff };
  }

  get lastEventId(): string | undefined {
    return this.#lastEventId;
  }

  /** True while a stream is open. */
  get connected(): boolean {
    return this.#connectedNow;
  }
  #connectedNow = false;

  start(): void {
    if (this.#loop) return;
    this.#loop = this.#run();
  }

  /** Stops and waits for the current connection to close. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort?.abort();
    this.#wake?.();
    await this.#loop;
  }

  /** Drops the current connection (it reconnects). */
  reconnect(): void {
    this.#abort?.abort();
  }

  async #run(): Promise<void> {
    const log = this.#opts.log;
    let attempt = 0;
    while (!this.#stopped) {
      const outcome = await this.#connectOnce().catch((err: unknown) => ({
        kind: "error" as const,
        reason: err instanceof Error ? err.message : String(err),
      }));
      const wasConnected = this.#connectedNow;
      if (wasConnected) {
        this.#connectedNow = false;
        this.#opts.onDisconnected?.(outcome.kind === "error" ? outcome.reason : "refused");
      }
      if (outcome.kind === "fatal" || this.#stopped) return;
      // A stream that opened resets the backoff: only consecutive failures grow it.
      if (wasConnected) attempt = 0;
      const delay = backoffDelay(attempt, this.#serverRetryMs, this.#backoff);
      attempt++;
      log.warn("event stream: disconnected, reconnecting", {
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

  async #connectOnce(): Promise<{ kind: "fatal" } | { kind: "error"; reason: string }> {
    const abort = new AbortController();
    this.#abort = abort;
    const resume = this.#opts.resumeFrom ? this.#opts.resumeFrom() : this.#lastEventId;
    const headers: Record<string, string> = {
      accept: "text/event-stream",
      "cache-control": "no-cache",
      ...this.#opts.headers(),
    };
    if (resume !== undefined) headers["last-event-id"] = resume;
    let idle: NodeJS.Timeout | undefined;
    const armIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => abort.abort(new Error("idle timeout")), this.#opts.idleTimeoutMs);
    };
    try {
      armIdle();
      const res = await (this.#opts.fetch ?? fetch)(this.#opts.url, {
        headers,
        signal: abort.signal,
      });
      if (res.status === 401 || res.status === 403) {
        const body = (await res.text().catch(() => "")).slice(0, 500);
        this.#opts.log.error(
          "event stream: the control plane refused this node's credential; stopping (was the node deleted? run `tether-agent join` again)",
          { status: res.status, body },
        );
        this.#stopped = true;
        this.#opts.onFatal?.(res.status, body);
        return { kind: "fatal" };
      }
      if (res.status !== 200 || !res.body) {
        const body = (await res.text().catch(() => "")).slice(0, 300);
        return { kind: "error", reason: `HTTP ${res.status}: ${body}` };
      }
      this.#connectedNow = true;
      this.#opts.onConnected?.({ reconnect: this.#connects++ > 0 });
      this.#opts.log.info("event stream: connected", { resume_from: resume ?? null });
      let queue = Promise.resolve();
      const parser = createParser({
        onEvent: (event) => {
          if (event.id !== undefined) this.#lastEventId = event.id;
          queue = queue.then(async () => {
            try {
              await this.#opts.onEvent(event);
            } catch (err) {
              this.#opts.log.warn("event stream: event skipped", {
                event: event.event ?? "message",
                id: event.id ?? null,
                error: err instanceof Error ? err.message : String(err),
              });
            }
          });
        },
        onRetry: (ms) => {
          this.#serverRetryMs = ms;
        },
        onError: (err) => {
          this.#opts.log.warn("event stream: malformed frame skipped", { error: err.message });
        },
      });
      const decoder = new TextDecoder();
      const reader = res.body.getReader();
      abort.signal.addEventListener("abort", () => void reader.cancel().catch(() => {}), {
        once: true,
      });
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        armIdle();
        parser.feed(decoder.decode(value, { stream: true }));
      }
      await queue;
      const why = abort.signal.aborted ? abortReason(abort.signal) : "server closed the stream";
      return { kind: "error", reason: why };
    } catch (err) {
      if (abort.signal.aborted) return { kind: "error", reason: abortReason(abort.signal) };
      throw err;
    } finally {
      clearTimeout(idle);
      if (this.#abort === abort) this.#abort = undefined;
    }
  }
}

function abortReason(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  return r instanceof Error && r.name !== "AbortError" ? r.message : "aborted";
}
