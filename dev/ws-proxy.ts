import { createConnection } from "node:net";
import { WebSocketServer } from "ws";

/**
 * The WebSocket-to-TCP bridge that lets `@neondatabase/serverless` (which
 * speaks Postgres over WebSockets, as Neon does) reach a plain Postgres or
 * PGlite server. Local development and tests only: it forwards to loopback
 * addresses and nothing else.
 */
export interface WsProxy {
  /** `host:port`, the value of the Worker's DB_WS_PROXY. */
  address: string;
  port: number;
  stop(): Promise<void>;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

export async function startWsProxy(opts: { port?: number; host?: string } = {}): Promise<WsProxy> {
  const host = opts.host ?? "127.0.0.1";
  const wss = new WebSocketServer({ port: opts.port ?? 0, host });
  wss.on("connection", (ws, req) => {
    const address = new URL(req.url ?? "/", "http://proxy").searchParams.get("address") ?? "";
    const sep = address.lastIndexOf(":");
    const targetHost = address.slice(0, sep);
    const targetPort = Number(address.slice(sep + 1));
    if (!LOOPBACK.has(targetHost) || !Number.isInteger(targetPort) || targetPort <= 0) {
      ws.close(1008, "only loopback Postgres addresses are proxied");
      return;
    }
    const socket = createConnection({ host: targetHost.replace(/^\[|\]$/g, ""), port: targetPort });
    socket.setNoDelay(true);
    ws.binaryType = "nodebuffer";
    ws.on("message", (data) => socket.write(data as Buffer));
    ws.on("close", () => socket.end());
    ws.on("error", () => socket.destroy());
    socket.on("data", (chunk) => ws.send(chunk));
    socket.on("close", () => ws.close());
    socket.on("error", () => ws.close());
  });
  await new Promise<void>((resolve, reject) => {
    wss.once("listening", resolve);
    wss.once("error", reject);
  });
  const port = (wss.address() as { port: number }).port;
  return {
    address: `${host}:${port}`,
    port,
    stop: () =>
      new Promise((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}
