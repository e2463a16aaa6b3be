import { SELF } from "cloudflare:test";
import { enrollmentTokens, events, orgs } from "@tether/schema/tables";
import { type Envelope, type SigningKeyInfo, signingBytes } from "@tether/schema/wire";
import { and, eq, lte } from "drizzle-orm";
import { fromBase64, toBase64 } from "../src/services/base64.ts";
import { cryptoRandom, generateToken, hashToken, tokenHint } from "../src/services/tokens.ts";
import { api, testDatabase } from "./fixtures.ts";

/** An enrollment token inserted straight into the database. */
export async function enrollToken(
  orgId: string,
  opts: { reusable?: boolean; expiresAt?: Date; groups?: string[]; maxUses?: number } = {},
): Promise<string> {
  const token = generateToken("enroll", cryptoRandom);
  const { db, close } = testDatabase();
  try {
    await db.insert(enrollmentTokens).values({
      orgId,
      name: "test",
      tokenHash: await hashToken(token),
      tokenHint: tokenHint(token),
      reusable: opts.reusable ?? false,
      maxUses: opts.maxUses ?? null,
      groups: opts.groups ?? [],
      expiresAt: opts.expiresAt ?? new Date(Date.now() + 3600_000),
    });
  } finally {
    await close();
  }
  return token;
}

/** Prunes every event of the org, as the retention job would: a resume from before now needs a snapshot. */
export async function pruneAllEvents(orgId: string): Promise<void> {
  const { db, close } = testDatabase();
  try {
    const [row] = await db.select({ seq: orgs.eventSeq }).from(orgs).where(eq(orgs.id, orgId));
    await db.delete(events).where(and(eq(events.orgId, orgId), lte(events.seq, row!.seq)));
    await db.update(orgs).set({ eventsPrunedThrough: row!.seq }).where(eq(orgs.id, orgId));
  } finally {
    await close();
  }
}

export const wireguardKey = () => toBase64(cryptoRandom(32));

export interface Enrolled {
  id: string;
  credential: string;
  meshIp: string;
  keys: SigningKeyInfo[];
  // biome-ignore lint/suspicious/noExplicitAny: the whole response, for assertions
  body: any;
}

export async function register(token: string, hostname = "host-1"): Promise<Enrolled> {
  const res = await api("POST", "/v1/register", {
    headers: { authorization: `Bearer ${token}` },
    body: { public_key: wireguardKey(), hostname },
  });
  if (res.status !== 201) throw new Error(`register: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    id: res.body.node_id,
    credential: res.body.credential,
    meshIp: res.body.mesh_ip,
    keys: res.body.signing_keys,
    body: res.body,
  };
}

export interface Frame {
  id: number | undefined;
  event: string | undefined;
  data: string;
}

/** One SSE block: the event in it, if any; comments and fields go to `aside`. */
function parseBlock(block: string, aside: { comments: string[]; fields: string[] }): Frame | null {
  const frame: Frame = { id: undefined, event: undefined, data: "" };
  let isEvent = false;
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) aside.comments.push(line);
    else if (line.startsWith("retry: ")) aside.fields.push(line);
    else if (line.startsWith("id: ")) frame.id = Number(line.slice(4));
    else if (line.startsWith("event: ")) frame.event = line.slice(7);
    else if (line.startsWith("data: ")) {
      frame.data += line.slice(6);
      isEvent = true;
    }
  }
  return isEvent ? frame : null;
}

/**
 * An agent on the WebSocket transport: the same framed events, one per
 * message, and status acks sent up the same socket.
 */
export class AgentSocket {
  readonly #frames: Frame[] = [];
  readonly #waiting: ((f: Frame | Error) => void)[] = [];
  readonly comments: string[] = [];
  readonly fields: string[] = [];
  /** Raw text messages that were not event frames (e.g. `pong`). */
  readonly other: string[] = [];
  closed: { code: number; reason: string } | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (ev) => {
      const text = String(ev.data);
      const frame = text.endsWith("\n\n") ? parseBlock(text.slice(0, -2), this) : null;
      if (!frame) {
        this.other.push(text);
        return;
      }
      const waiter = this.#waiting.shift();
      if (waiter) waiter(frame);
      else this.#frames.push(frame);
    });
    ws.addEventListener("close", (ev) => {
      this.closed = { code: ev.code, reason: ev.reason };
      for (const w of this.#waiting.splice(0)) w(new Error("socket closed"));
    });
  }

  /** Opens the socket; a refused upgrade answers with its HTTP status instead. */
  static async open(
    node: Pick<Enrolled, "id" | "credential">,
    lastEventId?: number,
  ): Promise<AgentSocket> {
    const res = await AgentSocket.upgrade(node, lastEventId);
    if (!res.webSocket) throw new Error(`upgrade: ${res.status} ${await res.text()}`);
    res.webSocket.accept();
    return new AgentSocket(res.webSocket);
  }

  static upgrade(
    node: Pick<Enrolled, "id" | "credential">,
    lastEventId?: number,
  ): Promise<Response> {
    const headers: Record<string, string> = {
      upgrade: "websocket",
      authorization: `Bearer ${node.credential}`,
    };
    if (lastEventId !== undefined) headers["last-event-id"] = String(lastEventId);
    return SELF.fetch(`http://tether.test/v1/nodes/${node.id}/events`, { headers });
  }

  next(timeoutMs = 5000): Promise<Frame> {
    const ready = this.#frames.shift();
    if (ready) return Promise.resolve(ready);
    if (this.closed) return Promise.reject(new Error("socket closed"));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.splice(this.#waiting.indexOf(settle), 1);
        reject(new Error("no event within the timeout"));
      }, timeoutMs);
      const settle = (f: Frame | Error) => {
        clearTimeout(timer);
        if (f instanceof Error) reject(f);
        else resolve(f);
      };
      this.#waiting.push(settle);
    });
  }

  /** The next frame of one of `events`, skipping others (e.g. peer events). */
  async nextOf(events: string[], timeoutMs = 5000): Promise<Frame> {
    for (;;) {
      const f = await this.next(timeoutMs);
      if (events.includes(f.event ?? "")) return f;
    }
  }

  async expectSilence(ms = 300): Promise<void> {
    try {
      const frame = await this.next(ms);
      throw new Error(`unexpected event ${frame.event} ${frame.data.slice(0, 200)}`);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.includes("timeout")) throw err;
    }
  }

  send(message: unknown): void {
    this.ws.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  close(): void {
    try {
      this.ws.close(1000, "test done");
    } catch {
      // Already closed.
    }
  }
}

/** An open SSE stream from the Worker, read frame by frame. */
export class EventStream {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  #buffer = "";
  readonly comments: string[] = [];
  /** Non-data fields seen, e.g. `retry: 3000`. */
  readonly fields: string[] = [];

  private constructor(readonly response: Response) {
    this.#reader = response.body!.getReader();
  }

  static async open(node: Enrolled, lastEventId?: number): Promise<EventStream> {
    const headers: Record<string, string> = { authorization: `Bearer ${node.credential}` };
    if (lastEventId !== undefined) headers["last-event-id"] = String(lastEventId);
    const res = await SELF.fetch(`http://tether.test/v1/nodes/${node.id}/events`, { headers });
    if (res.status !== 200) throw new Error(`events: ${res.status} ${await res.text()}`);
    return new EventStream(res);
  }

  /** The next event frame (comments and `retry:` are collected aside). */
  async next(timeoutMs = 5000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.#buffer.indexOf("\n\n");
      if (end >= 0) {
        const block = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        const frame = parseBlock(block, this);
        if (frame) return frame;
        continue;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("no event within the timeout");
      const chunk = await Promise.race([
        this.#reader.read(),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error("no event within the timeout")), left),
        ),
      ]);
      if (chunk.done) throw new Error("stream ended");
      this.#buffer += this.#decoder.decode(chunk.value, { stream: true });
    }
  }

  /** Resolves when no event arrives for `ms` (asserting silence). */
  async expectSilence(ms = 300): Promise<void> {
    try {
      const frame = await this.next(ms);
      throw new Error(`unexpected event ${frame.event} ${frame.data.slice(0, 200)}`);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.includes("timeout")) throw err;
    }
  }

  async close(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }
}

/** Verifies an envelope with any of the given keys (Ed25519 over the signing text). */
export async function verifyEnvelope(
  env: Envelope,
  keys: readonly SigningKeyInfo[],
): Promise<boolean> {
  for (const k of keys) {
    const key = await crypto.subtle.importKey(
      "raw",
      fromBase64(k.public_key),
      { name: "Ed25519" },
      false,
      ["verify"],
    );
    if (
      await crypto.subtle.verify(
        { name: "Ed25519" },
        key,
        fromBase64(env.signature),
        signingBytes(env),
      )
    ) {
      return true;
    }
  }
  return false;
}
