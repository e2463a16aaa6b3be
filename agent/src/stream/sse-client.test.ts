import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { memoryLogger } from "../log.ts";
import { backoffDelay } from "./backoff.ts";
import { SseClient, type SseClientOptions } from "./sse-client.ts";

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

let server: Server | undefined;
let client: SseClient | undefined;
const requests: { at: number; headers: IncomingMessage["headers"] }[] = [];

async function serve(handler: Handler): Promise<string> {
  requests.length = 0;
  server = createServer((req, res) => {
    requests.push({ at: Date.now(), headers: req.headers });
    handler(req, res, requests.length);
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
}

function sse(res: ServerResponse, text: string, end = false) {
  if (!res.headersSent) res.writeHead(200, { "content-type": "text/event-stream" });
  res.write(text);
  if (end) res.end();
}

function startClient(url: string, over: Partial<SseClientOptions> = {}) {
  const events: { id?: string | undefined; event?: string | undefined; data: string }[] = [];
  const connects: boolean[] = [];
  const log = memoryLogger();
  client = new SseClient({
    url,
    headers: () => ({ authorization: "Bearer tk_node_test" }),
    idleTimeoutMs: 5000,
    backoff: { baseMs: 10, capMs: 50, random: () => 0 },
    onEvent: (e) => {
      events.push({ id: e.id, event: e.event, data: e.data });
    },
    onConnected: ({ reconnect }) => connects.push(reconnect),
    log,
    ...over,
  });
  client.start();
  return { events, connects, log };
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
  const s = server;
  server = undefined;
  if (s) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

describe("SseClient", () => {
  it("delivers events in order and resumes with Last-Event-ID after a drop", async () => {
    const url = await serve((_req, res, n) => {
      if (n === 1) sse(res, "id: 4\nevent: a\ndata: one\n\nid: 5\nevent: b\ndata: two\n\n", true);
      else sse(res, ": keep-alive\n\n");
    });
    const { events, connects } = startClient(url);
    await until(() => requests.length >= 2);
    expect(events).toEqual([
      { id: "4", event: "a", data: "one" },
      { id: "5", event: "b", data: "two" },
    ]);
    expect(requests[0]!.headers["last-event-id"]).toBeUndefined();
    expect(requests[1]!.headers["last-event-id"]).toBe("5");
    expect(requests[1]!.headers.authorization).toBe("Bearer tk_node_test");
    await until(() => connects.length === 2);
    expect(connects).toEqual([false, true]);
  });

  it("asks the caller where to resume", async () => {
    const url = await serve((_req, res, n) => sse(res, `id: ${n}\ndata: x\n\n`, true));
    startClient(url, { resumeFrom: () => "42" });
    await until(() => requests.length >= 2);
    expect(requests.map((r) => r.headers["last-event-id"])).toEqual(
      expect.arrayContaining(["42", "42"]),
    );
  });

  it("honours the server's retry: before reconnecting", async () => {
    const url = await serve((_req, res) => sse(res, "retry: 300\n\n", true));
    startClient(url);
    await until(() => requests.length >= 3, 5000);
    expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(280);
    expect(requests[2]!.at - requests[1]!.at).toBeGreaterThanOrEqual(280);
  });

  it("backs off exponentially on consecutive failures", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(503).end("busy");
    });
    startClient(url, { backoff: { baseMs: 40, capMs: 160, random: () => 0.999 } });
    await until(() => requests.length >= 5, 5000);
    const gaps = requests.slice(1).map((r, i) => r.at - requests[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(30);
    expect(gaps[1]).toBeGreaterThanOrEqual(70);
    expect(gaps[2]).toBeGreaterThanOrEqual(150);
    expect(gaps[3]).toBeLessThan(400); // capped
  });

  it("skips malformed frames and events whose handler fails, and keeps going", async () => {
    const url = await serve((_req, res) =>
      sse(res, "bogus-field: 1\n\nid: 1\ndata: bad\n\nretry: soon\n\nid: 2\ndata: good\n\n"),
    );
    const seen: string[] = [];
    const { log } = startClient(url, {
      onEvent: (e) => {
        if (e.data === "bad") throw new Error("not an envelope");
        seen.push(e.data);
      },
    });
    await until(() => seen.length === 1);
    expect(seen).toEqual(["good"]);
    const warnings = log.lines.filter((l) => l.level === "warn").map((l) => l.msg);
    expect(warnings).toContain("event stream: malformed frame skipped");
    expect(warnings).toContain("event stream: event skipped");
  });

  it("reconnects when nothing arrives within the idle timeout", async () => {
    const url = await serve((_req, res) => sse(res, ""));
    const { connects } = startClient(url, { idleTimeoutMs: 150 });
    await until(() => requests.length >= 2, 3000);
    expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(100);
    expect(connects[0]).toBe(false);
  });

  it("keep-alive comments keep the connection open", async () => {
    const url = await serve((_req, res) => {
      sse(res, "");
      const t = setInterval(() => res.write(": keep-alive\n\n"), 40);
      res.on("close", () => clearInterval(t));
    });
    startClient(url, { idleTimeoutMs: 150 });
    await new Promise((r) => setTimeout(r, 500));
    expect(requests.length).toBe(1);
  });

  it("stops on 401 with a clear log and does not retry", async () => {
    const url = await serve((_req, res) => {
      res
        .writeHead(401, { "content-type": "application/json" })
        .end('{"error":{"code":"unauthorized"}}');
    });
    let fatal = 0;
    const { log } = startClient(url, { onFatal: (status) => (fatal = status) });
    await until(() => fatal === 401);
    await new Promise((r) => setTimeout(r, 150));
    expect(requests.length).toBe(1);
    const err = log.lines.find((l) => l.level === "error");
    expect(err?.msg).toMatch(/refused this node's credential; stopping/);
    expect(JSON.stringify(log.lines)).not.toContain("tk_node_test");
  });
});

describe("backoffDelay", () => {
  it("grows to the cap with full jitter and never undercuts retry:", () => {
    const opts = { baseMs: 100, capMs: 1000, random: () => 0.5 };
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, undefined, opts))).toEqual([
      50, 100, 200, 400, 500, 500,
    ]);
    expect(backoffDelay(0, 3000, opts)).toBe(3000);
    expect(backoffDelay(0, undefined, { ...opts, random: () => 0 })).toBe(0);
  });
});
