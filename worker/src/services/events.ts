import { and, eq, gt, inArray, sql } from "drizzle-orm";
import { events, nodes, orgs } from "@tether/schema/tables";
import { type Envelope, type EventType, signingBytes } from "@tether/schema/wire";
import type { Tx } from "./audit.ts";
import { toBase64Url } from "./base64.ts";
import type { Signer } from "./signing.ts";

/** An event about to be stored: who it concerns and what it says. */
export interface NewEvent {
  type: EventType;
  /** Node ids it concerns; null = every node of the org. */
  nodeIds: readonly string[] | null;
  payload: Record<string, unknown>;
}

export interface StoredEvent {
  seq: number;
  /** key_id of the key that signs it. */
  signedWith: string | null;
  eventId: string;
  type: EventType;
  revision: number;
  nodeIds: string[] | null;
  payload: Record<string, unknown>;
}

/** What the Hub fans out: a signed envelope and who may receive it. */
export interface Delivery {
  seq: number;
  nodeIds: string[] | null;
  /** The SSE `data:` text (the envelope's JSON). */
  data: string;
  eventType: EventType;
  /** Events with the same key supersede each other when coalesced. */
  coalesceKey: string | null;
}

/**
 * Stores events in the org's sequence (inside the caller's org-locked
 * transaction) and raises `desired_revision` of the nodes they concern, so
 * `GET /api/nodes` can tell who is stale.
 */
export async function appendEvents(
  tx: Tx,
  orgId: string,
  revision: number,
  list: readonly NewEvent[],
  signedWith: string,
): Promise<StoredEvent[]> {
  const wanted = list.filter((e) => e.nodeIds === null || e.nodeIds.length > 0);
  if (wanted.length === 0) return [];
  const [row] = await tx
    .update(orgs)
    .set({ eventSeq: sql`${orgs.eventSeq} + ${wanted.length}` })
    .where(eq(orgs.id, orgId))
    .returning({ last: orgs.eventSeq });
  const first = row!.last - wanted.length + 1;
  const stored: StoredEvent[] = wanted.map((e, i) => ({
    seq: first + i,
    signedWith,
    eventId: crypto.randomUUID(),
    type: e.type,
    revision,
    nodeIds: e.nodeIds ? [...e.nodeIds] : null,
    payload: e.payload,
  }));
  for (let i = 0; i < stored.length; i += 500) {
    await tx.insert(events).values(
      stored.slice(i, i + 500).map((e) => ({
        orgId,
        seq: e.seq,
        eventId: e.eventId,
        eventType: e.type,
        revision: e.revision,
        nodeIds: e.nodeIds,
        payload: e.payload,
        signedWith: e.signedWith,
      })),
    );
  }
  const everyone = stored.some((e) => e.nodeIds === null);
  const targeted = [...new Set(stored.flatMap((e) => e.nodeIds ?? []))];
  if (everyone || targeted.length > 0) {
    await tx
      .update(nodes)
      .set({ desiredRevision: revision })
      .where(and(eq(nodes.orgId, orgId), everyone ? undefined : inArray(nodes.id, targeted)));
  }
  return stored;
}

/** Signs one event as a fresh envelope (new nonce and `issued_at` each time). */
export async function sealEvent(e: StoredEvent, signer: Signer, now: Date): Promise<Envelope> {
  const unsigned = {
    event_type: e.type,
    event_id: e.eventId,
    seq: e.seq,
    issued_at: now.toISOString(),
    nonce: toBase64Url(crypto.getRandomValues(new Uint8Array(16))),
    payload: JSON.stringify({ revision: e.revision, ...e.payload }),
  };
  return {
    ...unsigned,
    signature: await signer.sign(signingBytes(unsigned)),
    key_id: signer.keyId,
  };
}

export async function toDeliveries(
  list: readonly StoredEvent[],
  signer: Signer,
  now: Date,
): Promise<Delivery[]> {
  return Promise.all(
    list.map(async (e) => ({
      seq: e.seq,
      nodeIds: e.nodeIds,
      data: JSON.stringify(await sealEvent(e, signer, now)),
      eventType: e.type,
      coalesceKey: coalesceKey(e),
    })),
  );
}

/** Two events with one key: only the newer matters to a node that has not seen either. */
function coalesceKey(e: StoredEvent): string | null {
  const p = e.payload as { policy_id?: string; peer?: { id?: string }; peer_id?: string };
  switch (e.type) {
    case "policy_updated":
    case "rego_policy_updated":
      return p.policy_id ? `${e.type}:${p.policy_id}` : null;
    case "peer_added":
    case "peer_updated":
    case "peer_removed": {
      const id = p.peer?.id ?? p.peer_id;
      return id ? `peer:${id}` : null;
    }
    case "node_updated":
      return "node";
    default:
      return null;
  }
}

/** Events after `afterSeq` that concern `nodeId`, oldest first (for resume). */
export async function eventsSince(
  tx: Tx,
  orgId: string,
  nodeId: string,
  afterSeq: number,
  limit: number,
): Promise<StoredEvent[]> {
  const rows = await tx
    .select()
    .from(events)
    .where(
      and(
        eq(events.orgId, orgId),
        gt(events.seq, afterSeq),
        sql`(${events.nodeIds} is null or ${events.nodeIds} @> ${JSON.stringify([nodeId])}::jsonb)`,
      ),
    )
    .orderBy(events.seq)
    .limit(limit);
  return rows.map((r) => ({
    seq: r.seq,
    signedWith: r.signedWith,
    eventId: r.eventId,
    type: r.eventType as EventType,
    revision: r.revision,
    nodeIds: r.nodeIds ?? null,
    payload: r.payload,
  }));
}
