import { DurableObject } from "cloudflare:workers";
import type { StatusReport } from "@tether/schema/wire";
import { EnvSchema } from "../env.ts";
import { createDatabase } from "../services/db.ts";
import type { Delivery } from "../services/events.ts";
import { AckBatcher, type AckResult, NODE_GONE } from "./ack-batcher.ts";
import {
  KEEPALIVE,
  parseAgentMessage,
  pongAckFrame,
  statusAckFrame,
  statusErrorFrame,
} from "./agent-protocol.ts";
import { Coalescer, sseFrame } from "./coalesce.ts";
import { LeadingEdge } from "./leading-edge.ts";
import { PingLog, type PingResult } from "./ping-log.ts";
import { SeqGate } from "./seq-gate.ts";

interface Attachment {
  nodeId: string;
  since: number;
  /** SHA-256 of the credential the stream was opened with. */
  credentialHash: string;
  /**
   * `bridge`: the Worker's end of an SSE stream. `agent`: the agent itself,
   * on the WebSocket transport (events down, status acks up).
   */
  kind: "bridge" | "agent";
  /** Names one connection, so the Worker can hand it its replay. */
  connId: string;
}

const DbEnv = EnvSchema.pick({ DATABASE_URL: true, DB_WS_PROXY: true });

/**
 * Flushes are at least this far apart: a delivery after a quiet spell goes
 * out on the next turn, and the ones arriving sooner are merged into one flush.
 */
const COALESCE_MS = 4;

/**
 * One Hub per org fans signed events out to that org's connected agents.
 * Each agent's SSE stream is terminated by the Worker and bridged here over
 * a hibernatable WebSocket tagged with the node id, so an idle fleet lets
 * the Hub hibernate. The Hub stores nothing: events are persisted by the
 * Worker before they are published, and agents resume from the database.
 */
export class Hub extends DurableObject {
  #pending: Delivery[] = [];
  readonly #flushes = new LeadingEdge(COALESCE_MS, () => this.#flush());
  readonly #coalescer = new Coalescer();
  readonly #pings = new PingLog();
  readonly #acks = new AckBatcher(() => createDatabase(DbEnv.parse(this.env)));

  /**
   * Sequence gates of agent sockets (in memory: a Hub that hibernated and
   * woke again sends live frames in order without one, and agents drop a
   * sequence number they have already seen).
   */
  readonly #gates = new Map<WebSocket, SeqGate>();

  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    this.ctx.setWebSocketAutoResponse(
      new WebSocketRequestResponsePair(KEEPALIVE.request, KEEPALIVE.response),
    );
  }

  /**
   * A WebSocket upgrade, authenticated by the Worker:
   * `/connect?node=<id>` from the SSE bridge, or
   * `/connect?node=<id>&transport=agent&after=<seq>&replay=1` for an agent
   * on the WebSocket transport. With `replay=1` live frames are held until
   * the Worker hands over the replay ({@link replay}).
   */
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const nodeId = url.searchParams.get("node");
    const credentialHash = request.headers.get("x-credential-hash");
    if (request.headers.get("upgrade") !== "websocket" || !nodeId || !credentialHash) {
      return new Response("expected a WebSocket upgrade with ?node= and x-credential-hash", {
        status: 400,
      });
    }
    const kind = url.searchParams.get("transport") === "agent" ? "agent" : "bridge";
    const connId = url.searchParams.get("conn") ?? crypto.randomUUID();
    const pair = new WebSocketPair();
    const server = pair[1];
    this.ctx.acceptWebSocket(server, [nodeId]);
    server.serializeAttachment({
      nodeId,
      since: Date.now(),
      credentialHash,
      kind,
      connId,
    } satisfies Attachment);
    if (kind === "agent") {
      const after = Number(url.searchParams.get("after") ?? "0");
      const replaying = url.searchParams.get("replay") === "1";
      this.#gates.set(server, new SeqGate(after, (f) => this.#send(server, f), replaying));
    }
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  /**
   * The frames an agent socket missed (computed by the Worker from the
   * database), then the live frames held meanwhile. `null`: the replay
   * failed, so the socket is closed and the agent resumes again.
   */
  async replay(nodeId: string, connId: string, frames: string[] | null): Promise<boolean> {
    const ws = this.ctx
      .getWebSockets(nodeId)
      .find((s) => (s.deserializeAttachment() as Attachment).connId === connId);
    if (!ws) return false;
    const gate = this.#gates.get(ws);
    if (frames === null || !gate) {
      // No gate: the Hub was evicted since the connect, and the held frames with it.
      ws.close(1011, "replay failed; resume again");
      return false;
    }
    for (const f of frames) gate.replayed(f);
    gate.done();
    return true;
  }

  /** Fans deliveries out (merged with others of a burst, see {@link COALESCE_MS}); resolves once sent. */
  async publish(deliveries: Delivery[]): Promise<void> {
    this.#pending.push(...deliveries);
    await new Promise<void>((resolve) => {
      this.#waiters.push(resolve);
      this.#flushes.request();
    });
  }

  #waiters: (() => void)[] = [];

  #flush(): void {
    const batch = this.#coalescer.take(this.#pending);
    this.#pending = [];
    if (batch.length > 0) {
      const sockets = this.ctx.getWebSockets().map((ws) => [ws, this.#nodeOf(ws)] as const);
      const sentTo = new Set<string>();
      for (const d of batch) {
        const frame = sseFrame(d);
        // One pass over the sockets per delivery: looking sockets up by tag
        // per target node would cost targets × sockets.
        const targets = d.nodeIds === null ? null : new Set(d.nodeIds);
        for (const [ws, nodeId] of sockets) {
          if (targets !== null && !targets.has(nodeId)) continue;
          const gate = this.#gates.get(ws);
          if (gate) gate.live(frame);
          else this.#send(ws, frame);
          sentTo.add(nodeId);
        }
      }
      // every event moves the org's revision: each node sent one acks it once applied
      this.#acks.expect(sentTo);
    }
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  /**
   * An unsigned `ping` event to every connected agent: a liveness probe of
   * the agents behind the open streams (they answer with a pong, see
   * {@link pong}), and the bare-broadcast baseline of bench/propagation.
   */
  async ping(id: string): Promise<number> {
    const sockets = this.ctx.getWebSockets();
    const sentAt = Date.now();
    this.#pings.sent(
      id,
      sockets.map((ws) => this.#nodeOf(ws)),
      sentAt,
    );
    const frame = `event: ping\ndata: ${JSON.stringify({ id, sent_at: sentAt })}\n\n`;
    for (const ws of sockets) this.#send(ws, frame);
    return sockets.length;
  }

  /**
   * A node's answer to ping `pingId`, from an SSE agent (POST /v1/nodes/{id}/pong).
   * null: the node has no stream here with that credential.
   */
  async pong(nodeId: string, credentialHash: string, pingId: string): Promise<boolean | null> {
    if (!this.#hasStream(nodeId, credentialHash)) return null;
    return this.#pings.answered(pingId, nodeId, Date.now());
  }

  /** Who answered ping `id`; null when the Hub does not remember it. */
  async pingResult(id: string): Promise<PingResult | null> {
    return this.#pings.result(id);
  }

  /**
   * A status ack from a node whose stream is open here with the same
   * credential: written with others in one batch. null = not connected here
   * (the caller writes it directly).
   */
  async ack(
    nodeId: string,
    credentialHash: string,
    report: StatusReport,
  ): Promise<AckResult | null> {
    if (!this.#hasStream(nodeId, credentialHash)) return null;
    return this.#acks.submit({ nodeId, credentialHash, report, at: new Date() });
  }

  /** Whether the node has a stream open here with this credential. */
  #hasStream(nodeId: string, credentialHash: string): boolean {
    return this.ctx
      .getWebSockets(nodeId)
      .some((ws) => (ws.deserializeAttachment() as Attachment).credentialHash === credentialHash);
  }

  /** Closes the streams of a node (deleted or deregistered). */
  async disconnect(nodeId: string, reason: string): Promise<number> {
    const sockets = this.ctx.getWebSockets(nodeId);
    for (const ws of sockets) ws.close(4001, reason.slice(0, 120));
    return sockets.length;
  }

  /** Who is connected now. */
  async connected(): Promise<{ node_id: string; since: string }[]> {
    return this.ctx.getWebSockets().map((ws) => {
      const a = ws.deserializeAttachment() as Attachment;
      return { node_id: a.nodeId, since: new Date(a.since).toISOString() };
    });
  }

  /** Upstream messages of agent sockets: status acks, batched like those over HTTP. */
  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const a = ws.deserializeAttachment() as Attachment;
    if (a.kind !== "agent") return;
    const parsed = parseAgentMessage(raw);
    if (!parsed.ok) {
      this.#send(ws, statusErrorFrame(parsed.id, "validation_failed", parsed.message));
      return;
    }
    if (parsed.message.type === "pong") {
      const { id } = parsed.message;
      this.#send(ws, pongAckFrame(id, this.#pings.answered(id, a.nodeId, Date.now())));
      return;
    }
    const { id, report } = parsed.message;
    try {
      const result = await this.#acks.submit({
        nodeId: a.nodeId,
        credentialHash: a.credentialHash,
        report,
        at: new Date(),
      });
      this.#send(ws, statusAckFrame(id, result));
    } catch (err) {
      const gone = err instanceof Error && err.message === NODE_GONE;
      this.#send(
        ws,
        statusErrorFrame(
          id,
          gone ? "unauthorized" : "unavailable",
          gone ? "node not found or credential changed" : "the status was not recorded; retry",
        ),
      );
      if (gone) ws.close(4001, "node not found or credential changed");
    }
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    this.#gates.delete(ws);
    try {
      ws.close(code === 1005 ? 1000 : code, "closed");
    } catch {
      // Already closed.
    }
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.#gates.delete(ws);
    try {
      ws.close(1011, "error");
    } catch {
      // Already closed.
    }
  }

  /** Node id of a bridge socket (its attachment survives hibernation; the memo does not need to). */
  readonly #nodeIds = new WeakMap<WebSocket, string>();

  #nodeOf(ws: WebSocket): string {
    let id = this.#nodeIds.get(ws);
    if (id === undefined) {
      id = (ws.deserializeAttachment() as Attachment).nodeId;
      this.#nodeIds.set(ws, id);
    }
    return id;
  }

  /** A failed send drops that one subscriber, never the broadcast. */
  #send(ws: WebSocket, frame: string): void {
    try {
      ws.send(frame);
    } catch {
      try {
        ws.close(1011, "send failed");
      } catch {
        // Already gone.
      }
    }
  }
}
