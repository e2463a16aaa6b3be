import { nodes } from "@tether/schema/tables";
import { getTableColumns, sql } from "drizzle-orm";

/**
 * The revision a node should run: the newest event that concerned it, i.e.
 * the greater of its own `desired_revision` (targeted events) and the org's
 * `broadcast_revision` (events for every node).
 */
export const desiredRevisionOf = sql<number>`greatest(${nodes.desiredRevision}, (select o.broadcast_revision from orgs o where o.id = ${nodes.orgId}))`;

/** Every column of a node, `desiredRevision` as {@link desiredRevisionOf}. */
export const nodeColumns = {
  ...getTableColumns(nodes),
  desiredRevision: desiredRevisionOf.mapWith(Number),
};
