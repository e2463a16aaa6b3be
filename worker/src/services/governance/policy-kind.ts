import {
  nodes,
  type regoPolicies,
  type regoPolicyVersions,
  type wasmPolicies,
  type wasmPolicyVersions,
} from "@tether/schema/tables";
import type { EdgePolicy } from "@tether/schema/wire";
import { and, asc, desc, eq, inArray, ne, sql } from "drizzle-orm";
import { ApiError } from "../../errors.ts";
import type { Tx } from "../audit.ts";
import type { NewEvent } from "../events.ts";

/**
 * What every governance policy kind (Rego modules, compiled Wasm) stores
 * beside its own fields, and how each kind names itself: the scaffolding
 * both kinds share (name conflicts, targets, version history, events, reads)
 * is written once here against these.
 */
export type PolicyTable = typeof regoPolicies | typeof wasmPolicies;
// drizzle types a select over the union of the two tables, not over a type
// parameter; the functions below select from the union and hand back the
// caller's kind's row type (the table passed in is the one read).
export type PolicyVersionTable = typeof regoPolicyVersions | typeof wasmPolicyVersions;

/** The settings every kind has, as a create or replace states them. */
export interface PolicySettings {
  name: string;
  status: "draft" | "active";
  mode: "audit" | "enforce";
  targetApps: string[];
  targetNodes: string[];
}

/** The columns every kind's policy row has. */
export interface PolicyRowBase extends PolicySettings {
  id: string;
  orgId: string;
  version: number;
  revision: number;
  updatedAt: Date;
}

export interface PolicyKind<T extends PolicyTable> {
  /** How messages name the kind: "Rego", "Wasm". */
  label: string;
  table: T;
}

export const notFound = (kind: { label: string }, id: string) =>
  new ApiError("not_found", `no ${kind.label} policy ${id} in this org`);

/** Where: the org's active policies of a kind, but `exceptId` (the one being saved). */
export const activeInOrg = (table: PolicyTable, orgId: string, exceptId: string | null = null) =>
  and(
    eq(table.orgId, orgId),
    eq(table.status, "active"),
    exceptId ? ne(table.id, exceptId) : undefined,
  );

/** Where: the policies a node receives, those naming it in `target_nodes` and the untargeted ones. */
export const reachesNode = (table: PolicyTable, nodeId: string) =>
  sql`(${table.targetNodes} = '[]'::jsonb or ${table.targetNodes} @> ${JSON.stringify([nodeId])}::jsonb)`;

/** The org's policies of one kind, by name. */
export async function listPolicies<T extends PolicyTable>(
  db: Tx,
  { table }: PolicyKind<T>,
  orgId: string,
): Promise<T["$inferSelect"][]> {
  return (await db
    .select()
    .from(table as PolicyTable)
    .where(eq(table.orgId, orgId))
    .orderBy(asc(table.name))) as T["$inferSelect"][];
}

/** One policy of the org, or undefined. */
export async function policyById<T extends PolicyTable>(
  db: Tx,
  { table }: PolicyKind<T>,
  orgId: string,
  id: string,
): Promise<T["$inferSelect"] | undefined> {
  const [row] = await db
    .select()
    .from(table as PolicyTable)
    .where(and(eq(table.id, id), eq(table.orgId, orgId)));
  return row as T["$inferSelect"] | undefined;
}

/** A policy's stored versions, newest first; 404 when the org has no such policy. */
export async function policyVersions<T extends PolicyTable, V extends PolicyVersionTable>(
  db: Tx,
  kind: PolicyKind<T>,
  versions: V,
  orgId: string,
  id: string,
): Promise<V["$inferSelect"][]> {
  if (!(await policyById(db, kind, orgId, id))) throw notFound(kind, id);
  return (await db
    .select()
    .from(versions as PolicyVersionTable)
    .where(and(eq(versions.policyId, id), eq(versions.orgId, orgId)))
    .orderBy(desc(versions.version))) as V["$inferSelect"][];
}

/** 409 naming `body.name` when another policy of the kind has the name. */
export async function refuseTakenName(
  tx: Tx,
  { label, table }: PolicyKind<PolicyTable>,
  orgId: string,
  name: string,
  exceptId: string | null,
) {
  const [taken] = await tx
    .select({ id: table.id })
    .from(table)
    .where(and(eq(table.orgId, orgId), eq(table.name, name)));
  if (taken && taken.id !== exceptId) {
    throw new ApiError(
      "conflict",
      `a ${label} policy named "${name}" exists already (${taken.id})`,
      {
        path: "body.name",
        existing_id: taken.id,
      },
    );
  }
}

/** 400 naming `body.target_nodes` when some ids are not nodes of the org. */
export async function refuseUnknownNodes(tx: Tx, orgId: string, ids: string[]) {
  if (ids.length === 0) return;
  const found = await tx
    .select({ id: nodes.id })
    .from(nodes)
    .where(and(eq(nodes.orgId, orgId), inArray(nodes.id, ids)));
  const known = new Set(found.map((n) => n.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new ApiError(
      "validation_failed",
      `invalid request: body.target_nodes: no such nodes in this org: ${unknown.join(", ")}`,
      unknown.map((id) => ({ path: "body.target_nodes", message: `no node ${id} in this org` })),
    );
  }
}

const sameList = (a: readonly string[], b: readonly string[]) => {
  const x = [...a].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
};

/** Whether a stored row already has these settings (targets compared as sets). */
export function sameSettings(r: PolicySettings, i: PolicySettings): boolean {
  return (
    r.name === i.name &&
    r.status === i.status &&
    r.mode === i.mode &&
    sameList(r.targetApps, i.targetApps) &&
    sameList(r.targetNodes, i.targetNodes)
  );
}

/** The version-history columns every kind stores for the row it wrote. */
export const versionOf = (row: PolicyRowBase, actorId: string | null) => ({
  orgId: row.orgId,
  policyId: row.id,
  version: row.version,
  name: row.name,
  status: row.status,
  mode: row.mode,
  targetApps: row.targetApps,
  targetNodes: row.targetNodes,
  revision: row.revision,
  actorId,
  createdAt: row.updatedAt,
});

/** The nodes a change concerns: both versions' targets; either untargeted → every node. */
function concerned(...rows: (PolicyRowBase | null)[]): string[] | null {
  const present = rows.filter((r): r is PolicyRowBase => r !== null);
  if (present.some((r) => r.targetNodes.length === 0)) return null;
  return [...new Set(present.flatMap((r) => r.targetNodes))];
}

/**
 * `rego_policy_updated`, the event of every governance policy kind (the
 * payload's `kind` tells): sent to the nodes either version targets, with
 * what agents receive about `after` (null unless active).
 */
export function policyUpdatedEvent<R extends PolicyRowBase>(
  id: string,
  before: R | null,
  after: R | null,
  wire: (row: R | null) => EdgePolicy | null,
): NewEvent {
  return {
    type: "rego_policy_updated",
    nodeIds: concerned(before, after),
    payload: { policy_id: id, policy: wire(after) },
  };
}

/** A kind as the write scaffolding (policy-write.ts) needs it. */
export interface PolicyKindViews<T extends PolicyTable> extends PolicyKind<T> {
  /** The audit trail's target type, and its actions' prefix: "rego_policy". */
  auditType: string;
  auditView: (row: T["$inferSelect"]) => Record<string, unknown>;
  /** What agents receive about a row (null unless active). */
  wire: (row: T["$inferSelect"] | null) => EdgePolicy | null;
}
