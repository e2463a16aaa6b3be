import { createParser } from "eventsource-parser";
import {
  type ConnectOutcome,
  ReconnectingStream,
  type StreamClientOptions,
} from "./reconnecting.ts";

export interface SseClientOptions extends StreamClientOptions {
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
export class SseClient extends ReconnectingStream {
  protected readonly transport = "sse";
  readonly #fetch: typeof fetch | undefined;
  #abort: AbortController | undefined;

  constructor(opts: SseClientOptions) {
    super(opts);
    this.#fetch = opts.fetch;
  }

  protected abortCurrent(): void {
    this.#abort?.abort();
  }

  protected async connectOnce(resume: string | undefined): Promise<ConnectOutcome> {
    const abort = new AbortController();
    this.#abort = abort;
    const headers: Record<string, string> = {
      accept: "text/event-stream",
      "cache-control": "no-cache",
      ...this.opts.headers(),
    };
    if (resume !== undefined) headers["last-event-id"] = resume;
    let idle: NodeJS.Timeout | undefined;
    const armIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => abort.abort(new Error("idle timeout")), this.opts.idleTimeoutMs);
    };
    try {
      armIdle();
      const res = await (this.#fetch ?? fetch)(this.opts.url, { headers, signal: abort.signal });
      if (res.status === 401 || res.status === 403) {
        return this.refused(res.status, (await res.text().catch(() => "")).slice(0, 500));
      }
      if (res.status !== 200 || !res.body) {
        const body = (await res.text().catch(() => "")).slice(0, 300);
        return { kind: "error", reason: `HTTP ${res.status}: ${body}` };
      }
      this.opened(resume);
      const events = this.deliverInOrder();
      const parser = createParser({
        onEvent: events.push,
        onRetry: (ms) => {
          this.serverRetryMs = ms;
        },
        onError: (err) => {
          this.opts.log.warn("event stream: malformed frame skipped", { error: err.message });
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
      await events.drained();
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
