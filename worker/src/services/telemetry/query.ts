import {
  apps,
  type fileAccessEvents,
  type networkEvents,
  type syscallEvents,
} from "@tether/schema/tables";
import { and, desc, eq, getTableColumns, or, type SQL, sql } from "drizzle-orm";
import { ApiError } from "../../errors.ts";
import type { Tx } from "../audit.ts";
import { isUuid } from "../uuid.ts";
import { decodeTimeCursor, encodeTimeCursor } from "./cursor.ts";

export type TelemetryTable = typeof syscallEvents | typeof networkEvents | typeof fileAccessEvents;

/** The filters every telemetry listing and aggregation takes. */
export interface TelemetryScope {
  orgId: string;
  /** apps.id, already resolved from an id or slug by {@link resolveApp}. */
  appId: string | undefined;
  nodeId: string | undefined;
  /** Inclusive lower bound, RFC 3339. */
  from: string | undefined;
  /** Exclusive upper bound, RFC 3339. */
  to: string | undefined;
}

/**
 * The app a query names, by id or by slug (the `app_id` batches carry), in
 * the caller's org. Unknown → 404 naming `query.app`: a typo must not look
 * like an app that sent nothing.
 */
export async function resolveApp(
  db: Tx,
  orgId: string,
  ref: string | undefined,
): Promise<string | undefined> {
  if (ref === undefined) return undefined;
  const byId = isUuid(ref);
  const rows = await db
    .select({ id: apps.id, slug: apps.slug })
    .from(apps)
    .where(
      and(
        eq(apps.orgId, orgId),
        byId ? or(eq(apps.id, ref), eq(apps.slug, ref)) : eq(apps.slug, ref),
      ),
    );
  // An id match wins over a slug that happens to look like another app's id.
  const found = rows.find((r) => r.id === ref.toLowerCase()) ?? rows[0];
  if (!found) {
    throw new ApiError("not_found", `no app "${ref}" in this org`, [
      { path: "query.app", message: "no such app (id or slug) in this org" },
    ]);
  }
  return found.id;
}

/** WHERE terms for the org, app, node and time range of `scope`. */
export function scopeConditions(t: TelemetryTable, scope: TelemetryScope): SQL[] {
  const out: SQL[] = [eq(t.orgId, scope.orgId)];
  if (scope.appId !== undefined) out.push(eq(t.appId, scope.appId));
  if (scope.nodeId !== undefined) out.push(eq(t.nodeId, scope.nodeId));
  // Bounds stay text: Postgres keeps the microseconds a JS Date would drop.
  if (scope.from !== undefined) out.push(sql`${t.timestamp} >= ${scope.from}::timestamptz`);
  if (scope.to !== undefined) out.push(sql`${t.timestamp} < ${scope.to}::timestamptz`);
  return out;
}

/** The timestamp as microsecond RFC 3339 text (cursor key and response value). */
export const timestampText = (t: TelemetryTable) =>
  sql<string>`to_char(${t.timestamp} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Rows strictly after the cursor in (timestamp desc, id desc) order; 400 on a foreign or forged cursor. */
export function afterCursor(
  t: TelemetryTable,
  kind: string,
  cursor: string | undefined,
): SQL | undefined {
  if (cursor === undefined) return undefined;
  const key = decodeTimeCursor(kind, cursor);
  if (!key) {
    throw new ApiError(
      "validation_failed",
      "invalid request: query.cursor: not a cursor of this listing",
      [{ path: "query.cursor", message: "not a cursor of this listing" }],
    );
  }
  return sql`(${t.timestamp}, ${t.id}) < (${key.timestamp}::timestamptz, ${key.id})`;
}

/**
 * Cuts a `limit + 1` fetch to one page; the extra row only says there is
 * more, and the cursor points at the page's last row.
 */
export function toPage<R extends { id: number; ts: string }>(
  kind: string,
  rows: R[],
  limit: number,
): { rows: R[]; nextCursor: string | null } {
  if (rows.length <= limit) return { rows, nextCursor: null };
  const page = rows.slice(0, limit);
  const last = page[page.length - 1]!;
  return { rows: page, nextCursor: encodeTimeCursor(kind, { timestamp: last.ts, id: last.id }) };
}

/** The query fields every telemetry listing takes, besides its own filters. */
export interface ListQuery {
  app?: string | undefined;
  node?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  pid?: number | undefined;
  comm?: string | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
}

/**
 * One page of a telemetry table, newest first (timestamp, id): the org,
 * app, node and time scope, the process filters, the table's own
 * `filters`, and keyset pagination after `q.cursor`.
 */
export async function listPage<T extends TelemetryTable>(
  db: Tx,
  t: T,
  kind: string,
  orgId: string,
  q: ListQuery,
  filters: (SQL | undefined)[],
): Promise<{ rows: (T["$inferSelect"] & { ts: string })[]; nextCursor: string | null }> {
  const appId = await resolveApp(db, orgId, q.app);
  const limit = q.limit ?? 100;
  const table = t as TelemetryTable;
  const rows = await db
    .select({ ...getTableColumns(table), ts: timestampText(table) })
    .from(table)
    .where(
      and(
        ...scopeConditions(table, { orgId, appId, nodeId: q.node, from: q.from, to: q.to }),
        q.pid === undefined ? undefined : eq(table.pid, q.pid),
        q.comm === undefined ? undefined : eq(table.comm, q.comm),
        ...filters,
        afterCursor(table, kind, q.cursor),
      ),
    )
    .orderBy(desc(table.timestamp), desc(table.id))
    .limit(limit + 1);
  type Row = T["$inferSelect"] & { ts: string };
  const page = toPage(kind, rows, limit);
  return { rows: page.rows as unknown as Row[], nextCursor: page.nextCursor };
}
