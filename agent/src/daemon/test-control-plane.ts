import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { EventType, NodeState, StatusReport } from "@tether/schema/wire";
import { newTestSigner, type TestSigner } from "../verify/test-signer.ts";

/**
 * A stand-in for the control plane's agent protocol on 127.0.0.1 (unit tests
 * of the daemon): serves a state and Wasm modules, pushes signed events, records acks.
 */
export interface FakeControlPlane {
  url: string;
  /** Signs pushed events; replace it to simulate a key rotation. */
  signer: TestSigner;
  state: NodeState;
  statuses: StatusReport[];
  /** Ping ids answered through POST /pong. */
  pongs: string[];
  streams: number;
  stateFetches: number;
  lastEventIds: (string | undefined)[];
  /** Answer every call with this status (e.g. 401), or undefined to behave. */
  refuse: number | undefined;
  /** Wasm modules by policy id, served at `/v1/nodes/{id}/policies/{policyId}/wasm`. */
  modules: Map<string, Uint8Array>;
  /** The policy ids whose module was asked for, in order. */
  moduleFetches: string[];
  /** Sends a signed event to every open stream (raw text overrides the envelope). */
  push(type: EventType, payload: Record<string, unknown>, raw?: string): Promise<string>;
  dropStreams(): void;
  close(): Promise<void>;
}

export async function startFakeControlPlane(state: NodeState): Promise<FakeControlPlane> {
  const signer = await newTestSigner();
  state.signing_keys = [signer.info()];
  const open = new Set<ServerResponse>();
  let seq = state.seq;
  const cp: FakeControlPlane = {
    url: "",
    signer,
    state,
    statuses: [],
    pongs: [],
    streams: 0,
    stateFetches: 0,
    lastEventIds: [],
    refuse: undefined,
    modules: new Map(),
    moduleFetches: [],
    async push(type, payload, raw) {
      seq++;
      const envelope = await cp.signer.seal({ type, seq, payload });
      const data = raw ?? JSON.stringify(envelope);
      for (const res of open) res.write(`id: ${seq}\nevent: ${type}\ndata: ${data}\n\n`);
      return data;
    },
    dropStreams() {
      for (const res of open) res.destroy();
      open.clear();
    },
    async close() {
      cp.dropStreams();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const body = await new Promise<string>((resolve) => {
      let text = "";
      req.on("data", (c) => (text += c));
      req.on("end", () => resolve(text));
    });
    if (cp.refuse) return void res.writeHead(cp.refuse).end('{"error":{"code":"unauthorized"}}');
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path.endsWith("/state")) {
      cp.stateFetches++;
      return void res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ ...cp.state, seq }));
    }
    if (path.endsWith("/status")) {
      cp.statuses.push(JSON.parse(body) as StatusReport);
      return void res.writeHead(200).end('{"desired_revision":0,"stale":false}');
    }
    if (path.endsWith("/heartbeat")) return void res.writeHead(204).end();
    if (path.endsWith("/pong")) {
      cp.pongs.push((JSON.parse(body) as { ping_id: string }).ping_id);
      return void res.writeHead(200).end('{"recorded":true}');
    }
    const wasm = /\/policies\/([^/]+)\/wasm$/.exec(path);
    if (wasm) {
      cp.moduleFetches.push(wasm[1]!);
      const bytes = cp.modules.get(wasm[1]!);
      if (!bytes) return void res.writeHead(404).end('{"error":{"code":"not_found"}}');
      return void res.writeHead(200, { "content-type": "application/wasm" }).end(bytes);
    }
    if (path.endsWith("/events")) {
      cp.streams++;
      cp.lastEventIds.push(req.headers["last-event-id"] as string | undefined);
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("retry: 50\n: connected\n\n");
      open.add(res);
      res.on("close", () => open.delete(res));
      return;
    }
    res.writeHead(404).end();
  });
  // An SSE-only control plane: an upgrade is answered with a plain response,
  // so the agent's `auto` transport falls back to SSE (as behind a proxy
  // that does not pass WebSockets).
  server.on("upgrade", (_req, socket) => {
    // The client resets the connection once it has read the refusal: not an error here.
    socket.on("error", () => {});
    socket.end("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 6\r\n\r\nno ws\n");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  cp.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return cp;
}
