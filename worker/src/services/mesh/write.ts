import type { MeshPolicy } from "@tether/schema/wire";
import type { Context } from "hono";
import type { AppEnv } from "../../context.ts";
import { bumpedTransaction, chainedAuditRow, type Tx } from "../audit.ts";
import {
  commitOrgWrite,
  type Delivery,
  type NewEvent,
  planEvents,
  toDeliveries,
} from "../events.ts";
import { activeSigner, type Signer, signerFor } from "../signing.ts";
import { meshChangeEvents } from "./changes.ts";
import { type Mesh, reloadMesh } from "./model.ts";
import { loadWriteContext } from "./write-context.ts";

export interface MeshWriteScope {
  tx: Tx;
  /** The org's new revision (already bumped). */
  revision: number;
  /** The mesh as it was before this write. */
  before: Mesh;
  at: Date;
}

export interface MeshWriteOutcome<T> {
  result: T;
  audit: {
    action: string;
    targetType: string;
    targetId: string | null;
    before: unknown;
    after: unknown;
  };
  /** What changed, so the right nodes get the right events. */
  changed: { policies?: string[]; nodes?: string[] };
  /**
   * The org's policies after the change, in creation order, when the change
   * knows them from what it wrote (RETURNING): spares reading them again.
   */
  policiesAfter?: MeshPolicy[];
  /** Events beyond those derived from the mesh diff (e.g. signing key rotation). */
  extraEvents?: NewEvent[];
  /**
   * Signs this write's events instead of the org's active key. A key
   * rotation passes the old key: agents verify the rotation event with a
   * key they already trust, and only then learn the new one.
   */
  signer?: Signer;
}

export interface Actor {
  type: "api_key" | "node" | "system";
  id: string | null;
}

/**
 * Every write that changes what agents enforce goes through here, in one
 * transaction holding the org lock: revision bump, the change itself, the
 * events it implies (persisted in sequence), the audit row. After commit the
 * signed events are published to the org's Hub. A failed publish loses
 * nothing: the events are stored and agents catch up when they resume.
 */
export async function meshWrite<T>(
  c: Context<AppEnv>,
  orgId: string,
  actor: Actor,
  change: (scope: MeshWriteScope) => Promise<MeshWriteOutcome<T>>,
): Promise<{ result: T; revision: number; deliveries: Delivery[] }> {
  const { db, now, hub } = c.var.services;
  const at = now();
  // The bump that opens the transaction locks the org's row: writes of one
  // org are serialised from there.
  const done = await bumpedTransaction(db, orgId, async (tx, { revision, eventSeq }) => {
    const { mesh: before, auditHead, activeKey } = await loadWriteContext(tx, orgId);
    const outcome = await change({ tx, revision, before, at });
    const after = await reloadMesh(tx, orgId, before, outcome.changed, outcome.policiesAfter);
    const events = [
      ...meshChangeEvents(before, after, outcome.changed),
      ...(outcome.extraEvents ?? []),
    ];
    const secret = c.var.env.SIGNING_KEY_SECRET;
    // Under the org lock, so the org's first key is made exactly once.
    const signer =
      outcome.signer ??
      (activeKey ? await signerFor(activeKey, secret) : await activeSigner(tx, orgId, secret));
    const stored = planEvents(eventSeq, revision, events, signer.keyId);
    const audit = await chainedAuditRow(auditHead, {
      orgId,
      actorType: actor.type,
      actorId: actor.id,
      ...outcome.audit,
      requestId: c.var.requestId,
      at,
    });
    await commitOrgWrite(tx, { orgId, revision, stored, audit });
    const deliveries = stored.length > 0 ? await toDeliveries(stored, signer, at) : [];
    return { result: outcome.result, revision, deliveries };
  });
  if (done.deliveries.length > 0) {
    await hub.publish(orgId, done.deliveries).catch((err: unknown) => {
      console.error(
        JSON.stringify({
          level: "warn",
          msg: "hub publish failed; agents will catch up on resume",
          org_id: orgId,
          request_id: c.var.requestId,
          error: err instanceof Error ? err.message : String(err),
        }),
      );
    });
  }
  return done;
}
