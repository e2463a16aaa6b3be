import { auditLog, events, nodes, orgs } from "@tether/schema/tables";
import { type Envelope, type EventType, signingBytes } from "@tether/schema/wire";
import { and, eq, gt, type SQL, sql } from "drizzle-orm";
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
 * Numbers a write's events in the org's sequence, after `lastSeq` (read
 * under the org lock). Events that concern nobody are dropped.
 */
export function planEvents(
  lastSeq: number,
  revision: number,
  list: readonly NewEvent[],
  signedWith: string,
): StoredEvent[] {
  return list
    .filter((e) => e.nodeIds === null || e.nodeIds.length > 0)
    .map((e, i) => ({
      seq: lastSeq + 1 + i,
      signedWith,
      eventId: crypto.randomUUID(),
      type: e.type,
      revision,
      nodeIds: e.nodeIds ? [...e.nodeIds] : null,
      payload: e.payload,
    }));
}

/** Events written in the commit statement itself; more go in statements of their own first. */
const EVENTS_PER_STATEMENT = 1000;

/**
 * Everything a mesh write leaves behind, in ONE statement (inside the
 * caller's org-locked transaction): the events, the desired revision of the
 * nodes they concern (so `GET /api/nodes` can tell who is stale; see
 * services/node-row.ts), the audit row, and the org's new event sequence. One round trip instead of
 * five keeps the org lock short.
 */
export async function commitOrgWrite(
  tx: Tx,
  w: {
    orgId: string;
    revision: number;
    stored: readonly StoredEvent[];
    audit: typeof auditLog.$inferInsert;
  },
): Promise<void> {
  const rows = w.stored.map((e) => ({
    orgId: w.orgId,
    seq: e.seq,
    eventId: e.eventId,
    eventType: e.type,
    revision: e.revision,
    nodeIds: e.nodeIds,
    payload: e.payload,
    signedWith: e.signedWith,
  }));
  const inline = rows.slice(-EVENTS_PER_STATEMENT);
  for (let i = 0; i < rows.length - inline.length; i += 500) {
    await tx.insert(events).values(rows.slice(i, Math.min(i + 500, rows.length - inline.length)));
  }
  const steps: SQL[] = [sql`audit_row as (${tx.insert(auditLog).values(w.audit).getSQL()})`];
  if (inline.length > 0) {
    steps.push(sql`event_rows as (${tx.insert(events).values(inline).getSQL()})`);
  }
  // An event for every node raises the org's broadcast revision, not every node's row.
  const everyone = w.stored.some((e) => e.nodeIds === null);
  const targeted = [...new Set(w.stored.flatMap((e) => e.nodeIds ?? []))];
  if (!everyone && targeted.length > 0) {
    const which = sql`${nodes.id} in (select jsonb_array_elements_text(${JSON.stringify(targeted)}::jsonb)::uuid)`;
    const raise = tx
      .update(nodes)
      .set({ desiredRevision: w.revision })
      .where(and(eq(nodes.orgId, w.orgId), which));
    steps.push(sql`desired as (${raise.getSQL()})`);
  }
  const lastSeq = w.stored.at(-1)?.seq;
  const sequence =
    lastSeq === undefined
      ? sql`select 1`
      : tx
          .update(orgs)
          .set({ eventSeq: lastSeq, ...(everyone ? { broadcastRevision: w.revision } : {}) })
          .where(eq(orgs.id, w.orgId))
          .getSQL();
  await tx.execute(sql`with ${sql.join(steps, sql`, `)} ${sequence}`);
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
