import type { StatusReport } from "@tether/schema/wire";
import { createParser } from "eventsource-parser";
import WebSocket from "ws";
import {
  type ConnectOutcome,
  ReconnectingStream,
  type StreamClientOptions,
} from "./reconnecting.ts";

/** The control plane's answer to a status sent up the socket. */
export interface StatusAck {
  desired_revision: number;
  stale: boolean;
}

/** A status the control plane refused; `unauthorized` means the node is gone. */
export class StatusRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "StatusRefused";
  }
}

export interface WsClientOptions extends StreamClientOptions {
  /** How often to send the keep-alive `ping` (the Hub answers `pong`). */
  keepaliveMs?: number;
  /** How long a status sent up the socket may wait for its `status_ack`. */
  statusTimeoutMs?: number;
}

interface Pending {
  resolve: (ack: StatusAck) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * The WebSocket transport of the event stream (DESIGN.md §6): the socket
 * ends in the org's Hub, each message is one event in SSE framing (parsed
 * by the same parser as the SSE transport), and status acks go up the same
 * socket, so a fleet acknowledging a revision costs no HTTP request per
 * node. Reconnects, backoff and `Last-Event-ID` are the SSE client's; a
 * server that does not upgrade answers `unsupported`, so the caller can
 * fall back to SSE.
 *
 * @example
 * const ws = new WsClient({ url, headers, idleTimeoutMs: 45_000, onEvent, log });
 * ws.start();
 * const ack = await ws.sendStatus(report); // { desired_revision, stale }
 */
export class WsClient extends ReconnectingStream {
  protected readonly transport = "websocket";
  readonly #keepaliveMs: number;
  readonly #statusTimeoutMs: number;
  #socket: WebSocket | undefined;
  readonly #pending = new Map<string, Pending>();
  #nextId = 0;

  constructor(opts: WsClientOptions) {
    super(opts);
    this.#keepaliveMs = opts.keepaliveMs ?? 15_000;
    this.#statusTimeoutMs = opts.statusTimeoutMs ?? 10_000;
  }

  /**
   * Sends a status up the socket; resolves once the control plane recorded
   * it. Rejects when not connected, on timeout, or with {@link StatusRefused}.
   */
  sendStatus(report: StatusReport): Promise<StatusAck> {
    const socket = this.#socket;
    if (!socket || socket.readyState !== WebSocket.OPEN || !this.connected) {
      return Promise.reject(new Error("the event socket is not connected"));
    }
    const id = String(++this.#nextId);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`no status_ack within ${this.#statusTimeoutMs} ms`));
      }, this.#statusTimeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      socket.send(JSON.stringify({ type: "status", id, report }), (err) => {
        if (err) this.#settle(id, err);
      });
    });
  }

  /** Answers the Hub's `ping` event up the socket; false when not connected. */
  sendPong(pingId: string): boolean {
    const socket = this.#socket;
    if (!socket || socket.readyState !== WebSocket.OPEN || !this.connected) return false;
    socket.send(JSON.stringify({ type: "pong", id: pingId }));
    return true;
  }

  protected abortCurrent(reason: string): void {
    this.#socket?.terminate();
    this.#failPending(new Error(`the event socket closed (${reason})`));
  }

  protected async connectOnce(resume: string | undefined): Promise<ConnectOutcome> {
    const headers: Record<string, string> = { ...this.opts.headers() };
    if (resume !== undefined) headers["last-event-id"] = resume;
    const url = this.opts.url.replace(/^http/, "ws");
    const socket = new WebSocket(url, { headers, perMessageDeflate: false });
    this.#socket = socket;
    const events = this.deliverInOrder();
    const parser = createParser({
      onEvent: (event) => {
        if (event.event === "status_ack" || event.event === "status_error") {
          this.#onStatusReply(event.event, event.data);
        } else if (event.event === "pong_ack") {
          // The Hub took the answer to its ping: nothing to do.
        } else {
          events.push(event);
        }
      },
      onRetry: (ms) => {
        this.serverRetryMs = ms;
      },
      onError: (err) => {
        this.opts.log.warn("event stream: malformed frame skipped", { error: err.message });
      },
    });
    let idle: NodeJS.Timeout | undefined;
    let keepalive: NodeJS.Timeout | undefined;
    const armIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => socket.terminate(), this.opts.idleTimeoutMs);
    };
    // Listeners go on at once: the replay may arrive in the same packet as the upgrade.
    socket.on("message", (data, isBinary) => {
      armIdle();
      if (isBinary) return;
      const text = String(data);
      if (text === "pong") return;
      parser.feed(text);
      // Each message is a whole event: a missing blank line must not glue two together.
      parser.reset({ consume: true });
    });
    socket.once("open", () => {
      this.opened(resume);
      keepalive = setInterval(() => {
        if (socket.readyState === WebSocket.OPEN) socket.send("ping");
      }, this.#keepaliveMs);
    });
    try {
      armIdle();
      const outcome = await new Promise<ConnectOutcome>((resolve) => {
        socket.once("unexpected-response", (_req, res) => {
          const status = res.statusCode ?? 0;
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            if (body.length < 500) body += chunk;
          });
          res.on("end", () => {
            socket.terminate();
            if (status === 401 || status === 403) resolve(this.refused(status, body.slice(0, 500)));
            // A server (or a proxy in front of it) that answers the upgrade
            // with a plain response does not speak this transport.
            else if (status === 200 || status === 426 || status === 404 || status === 405)
              resolve({ kind: "unsupported", reason: `HTTP ${status} to the upgrade` });
            else resolve({ kind: "error", reason: `HTTP ${status}: ${body.slice(0, 300)}` });
          });
        });
        socket.once("close", (code, why) =>
          resolve({
            kind: "error",
            reason: `closed (${code}${why.length > 0 ? `: ${why.toString()}` : ""})`,
          }),
        );
        socket.once("error", (err) => resolve({ kind: "error", reason: err.message }));
      });
      await events.drained();
      // A deleted node's socket is closed (4001); its reconnect is refused with 401/403.
      return outcome;
    } finally {
      clearTimeout(idle);
      clearInterval(keepalive);
      this.#failPending(new Error("the event socket closed"));
      if (this.#socket === socket) this.#socket = undefined;
      socket.terminate();
    }
  }

  #onStatusReply(kind: string, data: string): void {
    let body: { id?: unknown; code?: unknown; message?: unknown } & Partial<StatusAck>;
    try {
      body = JSON.parse(data);
    } catch {
      this.opts.log.warn("event stream: malformed status reply skipped");
      return;
    }
    const id = typeof body.id === "string" ? body.id : "";
    if (kind === "status_ack") {
      this.#settle(id, {
        desired_revision: Number(body.desired_revision),
        stale: body.stale === true,
      });
    } else {
      this.#settle(id, new StatusRefused(String(body.code), String(body.message)));
    }
  }

  #settle(id: string, outcome: StatusAck | Error): void {
    const p = this.#pending.get(id);
    if (!p) return;
    this.#pending.delete(id);
    clearTimeout(p.timer);
    if (outcome instanceof Error) p.reject(outcome);
    else p.resolve(outcome);
  }

  #failPending(err: Error): void {
    for (const id of [...this.#pending.keys()]) this.#settle(id, err);
  }
}
