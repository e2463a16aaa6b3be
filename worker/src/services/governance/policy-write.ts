import { and, eq } from "drizzle-orm";
import type { Context } from "hono";
import type { AppEnv } from "../../context.ts";
import type { Tx } from "../audit.ts";
import { type MeshWriteScope, meshWrite } from "../mesh/write.ts";
import {
  notFound,
  type PolicyKindViews,
  type PolicySettings,
  type PolicyTable,
  policyUpdatedEvent,
  refuseTakenName,
  refuseUnknownNodes,
} from "./policy-kind.ts";

type PolicyInsert = PolicyTable["$inferInsert"];

export interface PolicyWrite<T extends PolicyTable> {
  settings: PolicySettings;
  /** The row's columns of this version, but org, version, revision and times. */
  fields: Omit<
    T["$inferInsert"],
    "id" | "orgId" | "version" | "revision" | "createdAt" | "updatedAt"
  >;
  /** The kind's own checks and writes under the org lock, before the row is written. */
  prepare?: (s: MeshWriteScope) => Promise<void>;
  storeVersion: (tx: Tx, row: T["$inferSelect"], actorId: string) => Promise<void>;
}

/**
 * Creates (`id` null) or fully replaces a policy of any kind through
 * meshWrite: the name must be free and the target nodes the org's, then
 * the kind's own checks; revision bump, version row, `rego_policy_updated`
 * to the targeted nodes, audit row.
 */
export async function writePolicy<T extends PolicyTable>(
  c: Context<AppEnv>,
  kind: PolicyKindViews<T>,
  orgId: string,
  keyId: string,
  id: string | null,
  write: PolicyWrite<T>,
): Promise<{ row: T["$inferSelect"]; created: boolean; revision: number }> {
  type Row = T["$inferSelect"];
  const table = kind.table as PolicyTable;
  const { result, revision } = await meshWrite(
    c,
    orgId,
    { type: "api_key", id: keyId },
    async (s) => {
      await refuseTakenName(s.tx, kind, orgId, write.settings.name, id);
      await refuseUnknownNodes(s.tx, orgId, write.settings.targetNodes);
      await write.prepare?.(s);
      const values = { ...write.fields, revision: s.revision, updatedAt: s.at };
      let before: Row | null = null;
      let after: Row;
      if (id === null) {
        const [row] = await s.tx
          .insert(table)
          .values({ orgId, ...values, version: 1, createdAt: s.at } as PolicyInsert)
          .returning();
        after = row as Row;
      } else {
        const inOrg = and(eq(table.id, id), eq(table.orgId, orgId));
        // Read again under the org lock: the version to follow is the latest.
        const [current] = await s.tx.select().from(table).where(inOrg);
        if (!current) throw notFound(kind, id);
        before = current as Row;
        const [row] = await s.tx
          .update(table)
          .set({ ...values, version: current.version + 1 } as PolicyInsert)
          .where(inOrg)
          .returning();
        after = row as Row;
      }
      await write.storeVersion(s.tx, after, keyId);
      return {
        result: { row: after, created: before === null },
        audit: {
          action: `${kind.auditType}.${before ? "update" : "create"}`,
          targetType: kind.auditType,
          targetId: after.id,
          before: before ? kind.auditView(before) : null,
          after: kind.auditView(after),
        },
        changed: {},
        extraEvents: [policyUpdatedEvent(after.id, before, after, kind.wire)],
      };
    },
  );
  return { ...result, revision };
}

/**
 * Deletes a policy of any kind (its versions go with it; `cleanUp` runs in
 * the same transaction); the concerned nodes get `policy: null`.
 */
export async function deletePolicyOf<T extends PolicyTable>(
  c: Context<AppEnv>,
  kind: PolicyKindViews<T>,
  orgId: string,
  keyId: string,
  id: string,
  cleanUp?: (tx: Tx) => Promise<void>,
): Promise<number> {
  const table = kind.table as PolicyTable;
  const { revision } = await meshWrite(c, orgId, { type: "api_key", id: keyId }, async (s) => {
    const [deleted] = await s.tx
      .delete(table)
      .where(and(eq(table.id, id), eq(table.orgId, orgId)))
      .returning();
    if (!deleted) throw notFound(kind, id);
    const before = deleted as T["$inferSelect"];
    await cleanUp?.(s.tx);
    return {
      result: null,
      audit: {
        action: `${kind.auditType}.delete`,
        targetType: kind.auditType,
        targetId: id,
        before: kind.auditView(before),
        after: null,
      },
      changed: {},
      extraEvents: [policyUpdatedEvent(id, before, null, kind.wire)],
    };
  });
  return revision;
}
