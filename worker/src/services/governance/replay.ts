import {
  apps,
  decisionLogs,
  fileAccessEvents,
  networkEvents,
  syscallEvents,
} from "@tether/schema/tables";
import { and, asc, eq, or, type SQL, sql } from "drizzle-orm";
import { ApiError } from "../../errors.ts";
import type { Tx } from "../audit.ts";
import { isUuid } from "../uuid.ts";

export type EventKind = "syscall" | "network" | "file";

/** One stored event or decision as the input a policy sees. */
export interface ReplayItem {
  /** Event id (telemetry) or decision id (decision logs). */
  id: string | number;
  timestamp: string;
  input: Record<string, unknown>;
}

export interface EventSource {
  kind: EventKind;
  app?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
}

export interface DecisionSource {
  path: string;
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
}

/** The app an id or slug names in the org; unknown → 404. */
async function appOf(db: Tx, orgId: string, ref: string) {
  const match = isUuid(ref) ? or(eq(apps.id, ref), eq(apps.slug, ref)) : eq(apps.slug, ref);
  const rows = await db
    .select({ id: apps.id, slug: apps.slug })
    .from(apps)
    .where(and(eq(apps.orgId, orgId), match));
  const found = rows.find((r) => r.id === ref.toLowerCase()) ?? rows[0];
  if (!found) {
    throw new ApiError("not_found", `no app "${ref}" in this org`, [
      { path: "body.against.app", message: "no such app (id or slug) in this org" },
    ]);
  }
  return found;
}

const TABLES = { syscall: syscallEvents, network: networkEvents, file: fileAccessEvents };

const iso = (d: Date) => d.toISOString();

/** ADR 005's field names: what the probes emit is what a policy reads. */
function toInput(
  kind: EventKind,
  r: Record<string, unknown>,
  slug: string,
): Record<string, unknown> {
  const common = {
    kind,
    app_id: slug,
    node_id: r.nodeId ?? null,
    timestamp: iso(r.timestamp as Date),
  };
  switch (kind) {
    case "syscall":
      return {
        ...common,
        syscall_name: r.syscallName,
        syscall_num: r.syscallNum ?? null,
        pid: r.pid,
        comm: r.comm,
        args: r.args ?? null,
        return_value: r.returnValue ?? null,
        success: r.success,
      };
    case "network":
      return {
        ...common,
        direction: r.direction,
        protocol: r.protocol,
        dst_ip: r.dstIp,
        dst_port: r.dstPort ?? null,
        dns_query: r.dnsQuery ?? null,
        bytes_sent: r.bytesSent ?? null,
        bytes_recv: r.bytesRecv ?? null,
        action: r.action,
        pid: r.pid ?? null,
        comm: r.comm ?? null,
      };
    case "file":
      return {
        ...common,
        path: r.path,
        operation: r.operation,
        pid: r.pid,
        comm: r.comm,
        success: r.success,
      };
  }
}

/** Stored telemetry events of one kind, oldest first, as policy inputs. */
export async function loadEvents(db: Tx, orgId: string, src: EventSource): Promise<ReplayItem[]> {
  const t = TABLES[src.kind];
  const where: SQL[] = [eq(t.orgId, orgId)];
  if (src.app !== undefined) where.push(eq(t.appId, (await appOf(db, orgId, src.app)).id));
  if (src.from !== undefined) where.push(sql`${t.timestamp} >= ${src.from}::timestamptz`);
  if (src.to !== undefined) where.push(sql`${t.timestamp} < ${src.to}::timestamptz`);
  const rows = (await db
    .select({ row: t, slug: apps.slug })
    .from(t)
    .innerJoin(apps, eq(apps.id, t.appId))
    .where(and(...where))
    .orderBy(asc(t.timestamp), asc(t.id))
    .limit(src.limit)) as { row: Record<string, unknown>; slug: string }[];
  return rows.map(({ row, slug }) => ({
    id: row.id as number,
    timestamp: iso(row.timestamp as Date),
    input: toInput(src.kind, row, slug),
  }));
}

/** Stored decisions at one path, oldest first: their inputs are replayed. */
export async function loadDecisions(
  db: Tx,
  orgId: string,
  src: DecisionSource,
  path: string,
): Promise<ReplayItem[]> {
  const t = decisionLogs;
  const where: SQL[] = [eq(t.orgId, orgId), eq(t.path, path)];
  if (src.from !== undefined) where.push(sql`${t.timestamp} >= ${src.from}::timestamptz`);
  if (src.to !== undefined) where.push(sql`${t.timestamp} < ${src.to}::timestamptz`);
  const rows = await db
    .select({ id: t.decisionId, timestamp: t.timestamp, input: t.input })
    .from(t)
    .where(and(...where))
    .orderBy(asc(t.timestamp), asc(t.decisionId))
    .limit(src.limit);
  return rows.map((r) => ({
    id: r.id,
    timestamp: iso(r.timestamp),
    input: r.input as Record<string, unknown>,
  }));
}
