import type { webcrypto } from "node:crypto";
import { type Envelope, type SigningKeyInfo, signingBytes } from "@tether/schema/wire";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import WebSocket from "ws";

/**
 * A simulated agent, as the real agent behaves without touching the kernel:
 * a real event stream to the control plane, Ed25519 verification of every
 * envelope, and an ack of the applied revision.
 * - `sse`: Server-Sent Events, acks through POST /status;
 * - `ws`: the WebSocket transport, acks up the same socket (status_ack).
 */
export type Transport = "sse" | "ws";

export interface Enrolled {
  id: string;
  credential: string;
  keys: SigningKeyInfo[];
}

export class SimAgent {
  readonly #abort = new AbortController();
  #keys: webcrypto.CryptoKey[] = [];
  /** ping id → receive time. */
  readonly pings = new Map<string, number>();
  /** ping id → time the Hub's answer to our pong arrived (the round trip). */
  readonly pongs = new Map<string, number>();
  /** revision → ack completion time. */
  readonly acks = new Map<number, number>();
  /** revision → time the signed event arrived (before verification). */
  readonly received = new Map<number, number>();
  /** revision → time the event was verified and its ack sent. */
  readonly verified = new Map<number, number>();
  verifyFailures = 0;
  batchedAcks = 0;
  /** Why requests were retried: reason → count. */
  readonly retryReasons = new Map<string, number>();
  connected = false;

  #socket: WebSocket | undefined;

  constructor(
    readonly server: string,
    readonly node: Enrolled,
    readonly transport: Transport = "sse",
    /** The clock times are stamped with. */
    readonly now: () => number = () => performance.now(),
  ) {}

  async start(): Promise<void> {
    this.#keys = await Promise.all(
      this.node.keys.map((k) =>
        crypto.subtle.importKey(
          "raw",
          Buffer.from(k.public_key, "base64"),
          { name: "Ed25519" },
          false,
          ["verify"],
        ),
      ),
    );
    if (this.transport === "ws") return this.#startWs();
    let res: Response | undefined;
    for (let attempt = 0; !res; attempt++) {
      try {
        res = await fetch(`${this.server}/v1/nodes/${this.node.id}/events`, {
          headers: { authorization: `Bearer ${this.node.credential}` },
          signal: this.#abort.signal,
        });
      } catch (err) {
        if (attempt >= 5) throw err;
        this.#retried(err);
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
    if (res.status !== 200 || !res.body)
      throw new Error(`stream: ${res.status} ${await res.text()}`);
    this.connected = true;
    const parser = createParser({ onEvent: (ev) => this.#onEvent(ev) });
    const decoder = new TextDecoder();
    void (async () => {
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          parser.feed(decoder.decode(chunk, { stream: true }));
        }
      } catch {
        // Aborted at the end of the run.
      }
      this.connected = false;
    })();
  }

  #onEvent(ev: EventSourceMessage): void {
    if (ev.event === "ping") {
      const { id } = JSON.parse(ev.data) as { id: string };
      this.pings.set(id, this.now());
      void this.#pong(id);
    } else if (ev.event === "pong_ack") {
      const { id, recorded } = JSON.parse(ev.data) as { id: string; recorded: boolean };
      if (!recorded) throw new Error(`pong of ${id} not recorded`);
      this.pongs.set(id, this.now());
    } else if (ev.event === "policy_updated") {
      void this.#onPolicy(ev.data);
    } else if (ev.event === "status_ack") {
      const { id } = JSON.parse(ev.data) as { id: string };
      this.acks.set(Number(id), this.now());
      this.batchedAcks++;
    } else if (ev.event === "status_error") {
      throw new Error(`status_error: ${ev.data}`);
    }
  }

  async #startWs(): Promise<void> {
    const url = `${this.server.replace(/^http/, "ws")}/v1/nodes/${this.node.id}/events`;
    for (let attempt = 0; ; attempt++) {
      try {
        const ws = new WebSocket(url, {
          headers: { authorization: `Bearer ${this.node.credential}` },
          perMessageDeflate: false,
        });
        await new Promise<void>((resolve, reject) => {
          ws.once("open", resolve);
          ws.once("error", reject);
          ws.once("unexpected-response", (_req, res) =>
            reject(new Error(`upgrade refused: ${res.statusCode}`)),
          );
        });
        this.#socket = ws;
        break;
      } catch (err) {
        if (attempt >= 5) throw err;
        this.#retried(err);
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
    this.connected = true;
    // Each message is one event in SSE framing: the same parser as the SSE transport.
    const parser = createParser({ onEvent: (ev) => this.#onEvent(ev) });
    this.#socket.on("message", (data) => parser.feed(String(data)));
    this.#socket.on("close", () => {
      this.connected = false;
    });
  }

  /**
   * Answers a ping as the real agent does: up the socket (the Hub answers
   * pong_ack), or POST /pong on SSE. No database and no signature on the
   * way: the round trip the propagation is compared with.
   */
  async #pong(id: string): Promise<void> {
    if (this.#socket) {
      this.#socket.send(JSON.stringify({ type: "pong", id }));
      return;
    }
    const { body } = await this.#post("pong", { ping_id: id });
    if (!(body as { recorded?: boolean }).recorded) throw new Error(`pong of ${id} not recorded`);
    this.pongs.set(id, this.now());
  }

  /** POST /v1/nodes/{id}/<path>; like the real agent, a failure is retried with backoff. */
  async #post(path: string, payload: unknown): Promise<{ body: unknown; headers: Headers }> {
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(`${this.server}/v1/nodes/${this.node.id}/${path}`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${this.node.credential}`,
            "content-type": "application/json",
          },
          body: JSON.stringify(payload),
        });
        const text = await res.text();
        if (res.status !== 200) throw new Error(`${path}: ${res.status} ${text.slice(0, 200)}`);
        const body: unknown = JSON.parse(text);
        return { body, headers: res.headers };
      } catch (err) {
        if (attempt >= 5) throw err;
        this.#retried(err, `POST ${path}`);
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
  }

  #retried(err: unknown, what = "stream"): void {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const reason = [what, e.message, e.cause?.code ?? e.cause?.message].filter(Boolean).join(": ");
    this.retryReasons.set(reason, (this.retryReasons.get(reason) ?? 0) + 1);
  }

  async #onPolicy(data: string): Promise<void> {
    const envelope = JSON.parse(data) as Envelope;
    const { revision } = JSON.parse(envelope.payload) as { revision: number };
    this.received.set(revision, this.now());
    const bytes = signingBytes(envelope);
    const signature = Buffer.from(envelope.signature, "base64");
    let ok = false;
    for (const key of this.#keys) {
      if (await crypto.subtle.verify({ name: "Ed25519" }, key, signature, bytes)) {
        ok = true;
        break;
      }
    }
    if (!ok) {
      this.verifyFailures++;
      return;
    }
    this.verified.set(revision, this.now());
    const report = {
      applied_revision: revision,
      ruleset_hash: null,
      peer_count: 0,
      mode: "enforce",
    };
    if (this.#socket) {
      this.#socket.send(JSON.stringify({ type: "status", id: String(revision), report }));
      return;
    }
    const { headers } = await this.#post("status", report);
    this.acks.set(revision, this.now());
    if (headers.get("x-tether-ack") === "batched") this.batchedAcks++;
  }

  stop(): void {
    this.#abort.abort();
    this.#socket?.close(1000, "bench done");
  }
}
