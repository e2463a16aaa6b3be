import { type AnyColumn, and, asc, desc, inArray, type SQL, sql } from "drizzle-orm";
import { fileAccessEvents, networkEvents, syscallEvents } from "@tether/schema/tables";
import type { Tx } from "../audit.ts";
import { scopeConditions, type TelemetryScope } from "./query.ts";

/** A bounded scope: stats always cover a closed time range, cut into windows. */
export interface StatsScope extends TelemetryScope {
  from: string;
  to: string;
}

const count = sql`count(*)`.mapWith(Number);
const countWhere = (cond: SQL) => sql`count(*) filter (where ${cond})`.mapWith(Number);
// float8, not numeric: the driver hands numeric sums back as strings.
const total = (col: AnyColumn) => sql`coalesce(sum(${col}), 0)::float8`.mapWith(Number);
const microText = (ts: SQL) =>
  sql<string>`to_char(${ts} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export async function totals(db: Tx, scope: StatsScope) {
  const [s, n, f] = await Promise.all(
    [syscallEvents, networkEvents, fileAccessEvents].map((t) =>
      db
        .select({ count })
        .from(t)
        .where(and(...scopeConditions(t, scope))),
    ),
  );
  return { syscalls: s![0]!.count, network: n![0]!.count, files: f![0]!.count };
}

/** The `top` most frequent syscalls with how many of them failed; ties by name. */
export async function topSyscalls(db: Tx, scope: StatsScope, top: number) {
  const t = syscallEvents;
  return db
    .select({ syscall_name: t.syscallName, count, failures: countWhere(sql`not ${t.success}`) })
    .from(t)
    .where(and(...scopeConditions(t, scope)))
    .groupBy(t.syscallName)
    .orderBy(desc(count), asc(t.syscallName))
    .limit(top);
}

/** The `top` most frequent (ip, port, dns name) destinations; ties by ip, port, name. */
export async function topDestinations(db: Tx, scope: StatsScope, top: number) {
  const t = networkEvents;
  return db
    .select({
      dst_ip: t.dstIp,
      dst_port: t.dstPort,
      dns_query: t.dnsQuery,
      count,
      bytes_sent: total(t.bytesSent),
      bytes_recv: total(t.bytesRecv),
      denied: countWhere(sql`${t.action} <> 'allowed'`),
    })
    .from(t)
    .where(and(...scopeConditions(t, scope)))
    .groupBy(t.dstIp, t.dstPort, t.dnsQuery)
    .orderBy(
      desc(count),
      asc(t.dstIp),
      sql`${t.dstPort} asc nulls first`,
      sql`${t.dnsQuery} asc nulls first`,
    )
    .limit(top);
}

/** Every protocol (at most three) with its traffic and what was let through. */
export async function protocolBreakdown(db: Tx, scope: StatsScope) {
  const t = networkEvents;
  return db
    .select({
      protocol: t.protocol,
      count,
      bytes_sent: total(t.bytesSent),
      bytes_recv: total(t.bytesRecv),
      allowed: countWhere(sql`${t.action} = 'allowed'`),
      denied: countWhere(sql`${t.action} = 'denied'`),
      blocked: countWhere(sql`${t.action} = 'blocked'`),
    })
    .from(t)
    .where(and(...scopeConditions(t, scope)))
    .groupBy(t.protocol)
    .orderBy(desc(count), asc(t.protocol));
}

/** Every file operation (at most eight) with its failures. */
export async function fileOperations(db: Tx, scope: StatsScope) {
  const t = fileAccessEvents;
  return db
    .select({ operation: t.operation, count, failures: countWhere(sql`not ${t.success}`) })
    .from(t)
    .where(and(...scopeConditions(t, scope)))
    .groupBy(t.operation)
    .orderBy(desc(count), asc(t.operation));
}

/** The `top` most touched paths; ties by path. */
export async function topPaths(db: Tx, scope: StatsScope, top: number) {
  const t = fileAccessEvents;
  return db
    .select({ path: t.path, count, failures: countWhere(sql`not ${t.success}`) })
    .from(t)
    .where(and(...scopeConditions(t, scope)))
    .groupBy(t.path)
    .orderBy(desc(count), asc(t.path))
    .limit(top);
}

/**
 * Denied and blocked network events per window, windows aligned on `from`
 * (date_bin); only windows with at least one such event, oldest first.
 */
export async function deniedOverTime(db: Tx, scope: StatsScope, windowSeconds: number) {
  const t = networkEvents;
  const bucket = sql`date_bin(${windowSeconds} * interval '1 second', ${t.timestamp}, ${scope.from}::timestamptz)`;
  return (
    db
      .select({
        start: microText(bucket),
        denied: countWhere(sql`${t.action} = 'denied'`),
        blocked: countWhere(sql`${t.action} = 'blocked'`),
      })
      .from(t)
      .where(and(...scopeConditions(t, scope), inArray(t.action, ["denied", "blocked"])))
      // By position: the bucket expression carries bound parameters, and Postgres
      // does not see two copies with different placeholders as the same expression.
      .groupBy(sql`1`)
      .orderBy(sql`1`)
  );
}
