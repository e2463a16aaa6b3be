import { createRoute, z } from "@hono/zod-openapi";
import { nodes, orgs } from "@tether/schema/tables";
import { eq } from "drizzle-orm";
import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { requireNode } from "../middleware/node-auth.ts";
import { replayFrames } from "../services/replay.ts";
import { SseStream } from "../services/sse-bridge.ts";
import { nodeSecurity } from "./agent.schemas.ts";
import { errorResponses, UuidParam } from "./common.ts";

const KEEPALIVE_MS = 15_000;
const RETRY_MS = 3000;

const route = createRoute({
  method: "get",
  path: "/v1/nodes/{id}/events",
  summary:
    "Signed envelopes for this node, as Server-Sent Events or over a WebSocket, resumable with Last-Event-ID",
  description:
    'Each event\'s `id:` is the org\'s sequence number and `data:` a signed envelope (DESIGN.md §6). With `Last-Event-ID` (or `?last_event_id=`), missed events are replayed first; when they are no longer kept, a `snapshot_required` event says to refetch the state. Keep-alive comments every 15 s.\n\nWith `Upgrade: websocket` the same events arrive one per text message, in the same SSE framing, and the agent acknowledges applied state on the same connection: it sends `{"type":"status","id":"<correlation id>","report":{…}}` (the body of `POST /v1/nodes/{id}/status`) and receives `event: status_ack` (`{id, desired_revision, stale}`) once it is recorded, or `event: status_error` (`{id, code, message}`). The text `ping` is answered `pong`.',
  security: nodeSecurity,
  middleware: [requireNode] as const,
  request: {
    params: UuidParam,
    query: z.object({
      last_event_id: z.string().regex(/^\d+$/, "must be a sequence number").optional(),
    }),
  },
  responses: {
    200: {
      description: "The event stream",
      content: { "text/event-stream": { schema: z.string() } },
    },
    ...errorResponses,
  },
});

export function registerNodeEvents(app: App): void {
  app.openapi(route, async (c) => {
    const node = c.var.node;
    const { db, hub, now } = c.var.services;
    const header = c.req.header("last-event-id") ?? c.req.valid("query").last_event_id;
    if (header !== undefined && !/^\d+$/.test(header.trim())) {
      throw new ApiError("validation_failed", "Last-Event-ID must be a sequence number", [
        { path: "header.last-event-id", message: "must be a sequence number" },
      ]);
    }
    const resumeAfter = header === undefined ? undefined : Number(header.trim());

    const [org] = await db
      .select({ seq: orgs.eventSeq, prunedThrough: orgs.eventsPrunedThrough })
      .from(orgs)
      .where(eq(orgs.id, node.orgId));
    const replay = (): Promise<string[]> =>
      replayFrames(db, {
        orgId: node.orgId,
        nodeId: node.id,
        resumeAfter: resumeAfter!,
        org: org!,
        signingSecret: c.var.env.SIGNING_KEY_SECRET,
        now,
      });
    const seen = db.update(nodes).set({ lastSeenAt: now() }).where(eq(nodes.id, node.id));

    if (c.req.header("upgrade")?.toLowerCase() === "websocket") {
      // The WebSocket transport: the agent's socket ends in the Hub itself,
      // which holds live frames until the replay is handed over (frames the
      // Hub sends before the upgrade is answered wait in the socket).
      const connId = crypto.randomUUID();
      const res = await hub.connectAgent(node.orgId, node.id, node.credentialHash, {
        connId,
        afterSeq: resumeAfter ?? org!.seq,
        replay: resumeAfter !== undefined,
      });
      if (res.status !== 101)
        throw new ApiError("internal_error", "the event hub refused the stream");
      const handOver = async () => {
        await seen;
        if (resumeAfter === undefined) return;
        const frames = await replay().catch((err: unknown) => {
          console.error(
            JSON.stringify({
              level: "warn",
              msg: "replay failed; the agent will resume again",
              node_id: node.id,
              error: err instanceof Error ? err.message : String(err),
            }),
          );
          return null;
        });
        await hub.replay(node.orgId, node.id, connId, frames);
      };
      // Before answering: the request's database pool ends with the response.
      await handOver();
      return res as never;
    }

    const stream = new SseStream(resumeAfter ?? org!.seq);
    // Attach to the Hub first, so nothing committed from here on can be missed.
    const socket = await hub.connect(node.orgId, node.id, node.credentialHash);
    socket.addEventListener("message", (ev) => stream.live(String(ev.data)));
    socket.addEventListener("close", () => stream.close());
    socket.addEventListener("error", () => stream.close());
    const keepalive = setInterval(() => stream.write(": keep-alive\n\n"), KEEPALIVE_MS);
    stream.onClose(() => {
      clearInterval(keepalive);
      try {
        socket.close(1000, "stream closed");
      } catch {
        // Already closed.
      }
    });
    c.req.raw.signal.addEventListener("abort", () => stream.close());
    stream.write(`retry: ${RETRY_MS}\n: connected to tether as node ${node.id}\n\n`);

    await seen;
    if (resumeAfter !== undefined) for (const frame of await replay()) stream.replayed(frame);
    stream.replayDone();

    return new Response(stream.readable, {
      status: 200,
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        "x-accel-buffering": "no",
      },
    }) as never;
  });
}
