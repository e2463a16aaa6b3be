import { sseFrame } from "../hub/coalesce.ts";
import type { Tx } from "./audit.ts";
import { eventsSince, sealEvent } from "./events.ts";
import { signersFor } from "./signing.ts";

/** More missed events than this: the node is told to refetch its state instead. */
export const MAX_REPLAY = 1000;

export interface ReplayRequest {
  orgId: string;
  nodeId: string;
  /** The node's Last-Event-ID. */
  resumeAfter: number;
  /** The org's sequence and prune point, read before the stream attached. */
  org: { seq: number; prunedThrough: number };
  signingSecret: string;
  now: () => Date;
}

/**
 * The frames a resuming node missed, oldest first, each re-sealed with the
 * key that signed the original (an agent that missed a rotation can still
 * verify them). When they are no longer all kept, or too many, one signed
 * `snapshot_required` frame says to refetch the state instead. The SSE and
 * WebSocket transports both send exactly these frames.
 */
export async function replayFrames(db: Tx, r: ReplayRequest): Promise<string[]> {
  const missed =
    r.resumeAfter < r.org.prunedThrough
      ? null
      : await eventsSince(db, r.orgId, r.nodeId, r.resumeAfter, MAX_REPLAY + 1);
  const signerOf = await signersFor(
    db,
    r.orgId,
    r.signingSecret,
    (missed ?? []).map((e) => e.signedWith),
  );
  if (missed === null || missed.length > MAX_REPLAY) {
    const reason = missed === null ? "resume point no longer kept" : "too many missed events";
    const snapshot = await sealEvent(
      {
        seq: r.org.seq,
        signedWith: null,
        eventId: crypto.randomUUID(),
        type: "snapshot_required",
        revision: 0,
        nodeIds: [r.nodeId],
        payload: { reason },
      },
      signerOf(null),
      r.now(),
    );
    return [
      sseFrame({ seq: r.org.seq, eventType: "snapshot_required", data: JSON.stringify(snapshot) }),
    ];
  }
  const frames: string[] = [];
  for (const e of missed) {
    const envelope = await sealEvent(e, signerOf(e.signedWith), r.now());
    frames.push(sseFrame({ seq: e.seq, eventType: e.type, data: JSON.stringify(envelope) }));
  }
  return frames;
}
