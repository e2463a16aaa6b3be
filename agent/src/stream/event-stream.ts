import type { StatusReport } from "@tether/schema/wire";
import { SseClient, type SseClientOptions } from "./sse-client.ts";
import type { Transport } from "./transports.ts";
import { type StatusAck, WsClient, type WsClientOptions } from "./ws-client.ts";

/** The event stream as the daemon uses it, whatever the transport. */
export interface EventStream {
  start(): void;
  stop(): Promise<void>;
  reconnect(): void;
  readonly connected: boolean;
  /** The transport in use now (`websocket` or `sse`). */
  readonly transport: "websocket" | "sse";
  /** Sends a status up the stream; undefined when the transport cannot (SSE). */
  sendStatus: ((report: StatusReport) => Promise<StatusAck>) | undefined;
  /** Answers a `ping` up the stream; false when the transport cannot (SSE) or is down. */
  sendPong(pingId: string): boolean;
}

export function createEventStream(
  transport: Transport,
  opts: SseClientOptions & WsClientOptions,
): EventStream {
  if (transport === "sse") return wrap(new SseClient(opts), "sse");
  if (transport === "websocket") return wrap(new WsClient(opts), "websocket");
  return new AutoStream(opts);
}

function wrap(client: SseClient | WsClient, transport: "websocket" | "sse"): EventStream {
  return {
    start: () => client.start(),
    stop: () => client.stop(),
    reconnect: () => client.reconnect(),
    get connected() {
      return client.connected;
    },
    transport,
    sendStatus: client instanceof WsClient ? (r) => client.sendStatus(r) : undefined,
    sendPong: (id) => client instanceof WsClient && client.sendPong(id),
  };
}

/** WebSocket first; once the server answers the upgrade with a plain response, SSE for good. */
class AutoStream implements EventStream {
  #current: SseClient | WsClient;
  #stopped = false;

  constructor(private readonly opts: SseClientOptions & WsClientOptions) {
    this.#current = new WsClient(opts);
  }

  get transport(): "websocket" | "sse" {
    return this.#current instanceof WsClient ? "websocket" : "sse";
  }

  get connected(): boolean {
    return this.#current.connected;
  }

  get sendStatus(): EventStream["sendStatus"] {
    const c = this.#current;
    return c instanceof WsClient ? (r) => c.sendStatus(r) : undefined;
  }

  sendPong(pingId: string): boolean {
    const c = this.#current;
    return c instanceof WsClient && c.sendPong(pingId);
  }

  start(): void {
    const ws = this.#current;
    ws.start();
    void ws.ended().then((why) => {
      if (this.#stopped || !why.startsWith("unsupported")) return;
      this.opts.log.warn("event stream: the server does not upgrade to WebSocket; using SSE", {
        reason: why,
      });
      this.#current = new SseClient(this.opts);
      this.#current.start();
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#current.stop();
  }

  reconnect(): void {
    this.#current.reconnect();
  }
}
