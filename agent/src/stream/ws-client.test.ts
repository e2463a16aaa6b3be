import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type WebSocket from "ws";
import { WebSocketServer } from "ws";
import { memoryLogger } from "../log.ts";
import { createEventStream, type EventStream } from "./event-stream.ts";
import { StatusRefused, WsClient, type WsClientOptions } from "./ws-client.ts";

/**
 * The WebSocket client against a loopback server speaking the Hub's side of
 * the protocol (one SSE-framed event per message, status acks up). The real
 * Hub is exercised by the workerd tests and the namespace end-to-end suite.
 */

let http: Server | undefined;
let wss: WebSocketServer | undefined;
let client: { stop(): Promise<void> } | undefined;
const upgrades: IncomingMessage["headers"][] = [];

type OnSocket = (ws: WebSocket, n: number) => void;

async function serve(onSocket: OnSocket, refuse?: (n: number) => number | undefined) {
  upgrades.length = 0;
  http = createServer((req, res) => {
    if (req.headers.accept === "text/event-stream") {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write('id: 7\nevent: policy_updated\ndata: {"via":"sse"}\n\n');
      return;
    }
    res.writeHead(200).end("no websockets here");
  });
  wss = new WebSocketServer({ noServer: true });
  http.on("upgrade", (req, socket, head) => {
    upgrades.push(req.headers);
    const n = upgrades.length;
    const status = refuse?.(n);
    if (status !== undefined) {
      socket.end(`HTTP/1.1 ${status} Refused\r\ncontent-length: 7\r\n\r\nrefused`);
      return;
    }
    wss!.handleUpgrade(req, socket, head, (ws) => onSocket(ws, n));
  });
  await new Promise<void>((r) => http!.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}/v1/nodes/n1/events`;
}

function start(url: string, over: Partial<WsClientOptions> = {}) {
  const events: { id?: string | undefined; event?: string | undefined; data: string }[] = [];
  const log = memoryLogger();
  const fatal: number[] = [];
  const ws = new WsClient({
    url,
    headers: () => ({ authorization: "Bearer tk_node_test" }),
    idleTimeoutMs: 5000,
    backoff: { baseMs: 10, capMs: 50, random: () => 0 },
    onEvent: (e) => {
      events.push({ id: e.id, event: e.event, data: e.data });
    },
    onFatal: (status) => fatal.push(status),
    log,
    ...over,
  });
  ws.start();
  client = ws;
  return { ws, events, log, fatal };
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 10));
  }
}

afterEach(async () => {
  await client?.stop();
  client = undefined;
  wss?.close();
  await new Promise<void>((r) => (http ? http.close(() => r()) : r()));
  http?.closeAllConnections();
  http = undefined;
});

describe("WsClient", () => {
  it("delivers framed events in order and resumes with the last id after a drop", async () => {
    const url = await serve((ws, n) => {
      if (n === 1) {
        ws.send('id: 1\nevent: policy_updated\ndata: {"a":1}\n\n');
        ws.send('id: 2\nevent: peer_added\ndata: {"a":2}\n\n');
        setTimeout(() => ws.close(1011, "going away"), 50);
      } else {
        ws.send('id: 3\nevent: policy_updated\ndata: {"a":3}\n\n');
      }
    });
    const { events } = start(url);
    await until(() => events.length === 3).catch((e) => {
      throw new Error(`${e.message}: ${JSON.stringify(events)} upgrades=${upgrades.length}`);
    });
    expect(events.map((e) => [e.id, e.event])).toEqual([
      ["1", "policy_updated"],
      ["2", "peer_added"],
      ["3", "policy_updated"],
    ]);
    expect(upgrades[0]!.authorization).toBe("Bearer tk_node_test");
    expect(upgrades[0]!["last-event-id"]).toBeUndefined();
    expect(upgrades[1]!["last-event-id"]).toBe("2");
  });

  it("sends a status up the socket and resolves with its status_ack", async () => {
    const url = await serve((ws) => {
      ws.on("message", (raw) => {
        const text = String(raw);
        if (text === "ping") return;
        const msg = JSON.parse(text);
        if (msg.report.peer_count < 0) {
          ws.send(
            `event: status_error\ndata: ${JSON.stringify({ id: msg.id, code: "validation_failed", message: "report.peer_count: too small" })}\n\n`,
          );
        } else {
          ws.send(
            `event: status_ack\ndata: ${JSON.stringify({ id: msg.id, desired_revision: 9, stale: msg.report.applied_revision < 9 })}\n\n`,
          );
        }
      });
    });
    const { ws, events } = start(url);
    await until(() => ws.connected);
    const report = {
      applied_revision: 8,
      ruleset_hash: null,
      peer_count: 2,
      mode: "enforce" as const,
      errors: [],
    };
    expect(await ws.sendStatus(report)).toEqual({ desired_revision: 9, stale: true });
    const refused = await ws.sendStatus({ ...report, peer_count: -1 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StatusRefused);
    expect((refused as StatusRefused).code).toBe("validation_failed");
    // Replies are the client's business, not events.
    expect(events).toEqual([]);
  });

  it("answers a ping up the socket, and keeps the pong_ack to itself", async () => {
    const pongs: unknown[] = [];
    const url = await serve((ws) => {
      ws.on("message", (raw) => {
        const text = String(raw);
        if (text === "ping") return;
        const msg = JSON.parse(text);
        pongs.push(msg);
        ws.send(`event: pong_ack\ndata: ${JSON.stringify({ id: msg.id, recorded: true })}\n\n`);
        ws.send('id: 3\nevent: policy_updated\ndata: {"after":"pong"}\n\n');
      });
    });
    const { ws, events } = start(url);
    expect(ws.sendPong("p-1")).toBe(false); // not connected yet
    await until(() => ws.connected);
    expect(ws.sendPong("p-1")).toBe(true);
    await until(() => events.length === 1);
    expect(pongs).toEqual([{ type: "pong", id: "p-1" }]);
    expect(events.map((e) => e.event)).toEqual(["policy_updated"]);
  });

  it("rejects a status when the socket is down, and on timeout", async () => {
    const url = await serve(() => {});
    const { ws } = start(url, { statusTimeoutMs: 100 });
    const report = {
      applied_revision: 1,
      ruleset_hash: null,
      peer_count: 0,
      mode: "enforce" as const,
      errors: [],
    };
    await until(() => ws.connected);
    await expect(ws.sendStatus(report)).rejects.toThrow(/no status_ack within 100 ms/);
    await ws.stop();
    await expect(ws.sendStatus(report)).rejects.toThrow(/not connected/);
  });

  it("stops for good when the upgrade is refused with 401", async () => {
    const url = await serve(
      () => {},
      () => 401,
    );
    const { fatal, ws } = start(url);
    expect(await ws.ended()).toBe("refused");
    expect(fatal).toEqual([401]);
    expect(upgrades).toHaveLength(1);
  });

  it("keeps the connection with ping while the server is quiet, and reconnects when it goes silent", async () => {
    let pings = 0;
    let answer = true;
    const url = await serve((ws) => {
      ws.on("message", (raw) => {
        if (String(raw) === "ping") {
          pings++;
          if (answer) ws.send("pong");
        }
      });
    });
    const { ws } = start(url, { keepaliveMs: 50, idleTimeoutMs: 300 });
    await until(() => pings >= 8, 3000);
    expect(upgrades).toHaveLength(1); // pongs kept it alive past several idle timeouts
    answer = false;
    await until(() => upgrades.length >= 2, 3000);
    expect(ws.connected || upgrades.length >= 2).toBe(true);
  });
});

describe("createEventStream('auto')", () => {
  it("falls back to SSE when the server answers the upgrade with a plain response", async () => {
    const url = await serve(
      () => {},
      () => 200,
    );
    const events: string[] = [];
    const log = memoryLogger();
    const stream: EventStream = createEventStream("auto", {
      url,
      headers: () => ({}),
      idleTimeoutMs: 5000,
      backoff: { baseMs: 10, capMs: 50, random: () => 0 },
      onEvent: (e) => {
        events.push(e.data);
      },
      log,
    });
    client = stream;
    stream.start();
    await until(() => events.length === 1);
    expect(events).toEqual(['{"via":"sse"}']);
    expect(stream.transport).toBe("sse");
    expect(stream.sendStatus).toBeUndefined();
  });
});
