import type { FileEvent, NetworkEvent, SyscallEvent, TelemetryBatch } from "@tether/schema/wire";

/** The columns every telemetry row starts with; one bind parameter each per INSERT, shared by all rows. */
export const SHARED_COLUMNS = ["org_id", "app_id", "node_id", "batch_id"] as const;

/** Postgres' limit on bind parameters in one statement. */
export const MAX_BIND_PARAMETERS = 65_535;

type Cell = string | number | boolean | null;

/** One telemetry table: its name, its per-row columns, and how an event fills them. */
export interface EventTable<E> {
  table: string;
  kind: keyof Pick<TelemetryBatch, "syscall_events" | "network_events" | "file_events">;
  columns: readonly string[];
  row(e: E): Cell[];
}

export const SYSCALLS: EventTable<SyscallEvent> = {
  table: "syscall_events",
  kind: "syscall_events",
  columns: [
    "timestamp",
    "syscall_name",
    "syscall_num",
    "pid",
    "comm",
    "args",
    "return_value",
    "success",
  ],
  row: (e) => [
    e.timestamp,
    e.syscall_name,
    e.syscall_num ?? null,
    e.pid,
    e.comm,
    e.args ?? null,
    e.return_value ?? null,
    e.success,
  ],
};

export const NETWORK: EventTable<NetworkEvent> = {
  table: "network_events",
  kind: "network_events",
  columns: [
    "timestamp",
    "direction",
    "protocol",
    "dst_ip",
    "dst_port",
    "dns_query",
    "bytes_sent",
    "bytes_recv",
    "action",
    "pid",
    "comm",
  ],
  row: (e) => [
    e.timestamp,
    e.direction,
    e.protocol,
    e.dst_ip,
    e.dst_port ?? null,
    e.dns_query ?? null,
    e.bytes_sent ?? null,
    e.bytes_recv ?? null,
    e.action,
    e.pid ?? null,
    e.comm ?? null,
  ],
};

export const FILES: EventTable<FileEvent> = {
  table: "file_access_events",
  kind: "file_events",
  columns: ["timestamp", "path", "operation", "pid", "comm", "success"],
  row: (e) => [e.timestamp, e.path, e.operation, e.pid, e.comm, e.success],
};

/** Rows per INSERT: as many as the parameter limit allows, at most `cap`. */
export function rowsPerInsert(columns: number, cap: number): number {
  return Math.max(
    1,
    Math.min(cap, Math.floor((MAX_BIND_PARAMETERS - SHARED_COLUMNS.length) / columns)),
  );
}

/**
 * Multi-row INSERTs of `events` into `spec.table`, at most `cap` rows each.
 * `$1…$4` are the shared columns, referenced by every row; each row adds
 * its own parameters, so no statement passes {@link MAX_BIND_PARAMETERS}.
 */
export function* insertStatements<E>(
  spec: EventTable<E>,
  shared: readonly Cell[],
  events: readonly E[],
  cap: number,
): Generator<{ text: string; values: Cell[] }> {
  const per = spec.columns.length;
  const size = rowsPerInsert(per, cap);
  const head = `INSERT INTO ${spec.table} (${[...SHARED_COLUMNS, ...spec.columns].join(", ")}) VALUES `;
  const sharedRefs = SHARED_COLUMNS.map((_, i) => `$${i + 1}`).join(", ");
  for (let start = 0; start < events.length; start += size) {
    const chunk = events.slice(start, start + size);
    const values: Cell[] = [...shared];
    const tuples: string[] = new Array(chunk.length);
    for (let r = 0; r < chunk.length; r++) {
      const refs: string[] = new Array(per);
      for (let i = 0; i < per; i++) refs[i] = `$${values.length + i + 1}`;
      values.push(...spec.row(chunk[r]!));
      tuples[r] = `(${sharedRefs}, ${refs.join(", ")})`;
    }
    yield { text: head + tuples.join(", "), values };
  }
}
