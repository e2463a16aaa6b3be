import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { nodes, orgs } from "@tether/schema/tables";
import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { sseFrame } from "../hub/coalesce.ts";
import { requireNode } from "../middleware/node-auth.ts";
import { eventsSince, sealEvent } from "../services/events.ts";
import { signersFor } from "../services/signing.ts";
import { SseStream } from "../services/sse-bridge.ts";
import { nodeSecurity } from "./agent.schemas.ts";
import { errorResponses, UuidParam } from "./common.ts";

/** More missed events than this: the node is told to refetch its state instead. */
const MAX_REPLAY = 1000;
const KEEPALIVE_MS = 15_000;
const RETRY_MS = 3000;

const route = createRoute({
  method: "get",
  path: "/v1/nodes/{id}/events",
  summary: "Server-Sent Events: signed envelopes for this node, resumable with Last-Event-ID",
  description:
    "Each event's `id:` is the org's sequence number and `data:` a signed envelope (DESIGN.md §6). With `Last-Event-ID` (or `?last_event_id=`), missed events are replayed first; when they are no longer kept, a `snapshot_required` event says to refetch the state. Keep-alive comments every 15 s.",
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

    await db.update(nodes).set({ lastSeenAt: now() }).where(eq(nodes.id, node.id));
    if (resumeAfter !== undefined) {
      const missed =
        resumeAfter < org!.prunedThrough
          ? null
          : await eventsSince(db, node.orgId, node.id, resumeAfter, MAX_REPLAY + 1);
      const signerOf = await signersFor(
        db,
        node.orgId,
        c.var.env.SIGNING_KEY_SECRET,
        (missed ?? []).map((e) => e.signedWith),
      );
      if (missed === null || missed.length > MAX_REPLAY) {
        const reason = missed === null ? "resume point no longer kept" : "too many missed events";
        const snapshot = await sealEvent(
          {
            seq: org!.seq,
            signedWith: null,
            eventId: crypto.randomUUID(),
            type: "snapshot_required",
            revision: 0,
            nodeIds: [node.id],
            payload: { reason },
          },
          signerOf(null),
          now(),
        );
        stream.replayed(
          sseFrame({
            seq: org!.seq,
            eventType: "snapshot_required",
            data: JSON.stringify(snapshot),
          }),
        );
      } else {
        for (const e of missed) {
          const envelope = await sealEvent(e, signerOf(e.signedWith), now());
          stream.replayed(
            sseFrame({ seq: e.seq, eventType: e.type, data: JSON.stringify(envelope) }),
          );
        }
      }
    }
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
