import { z } from "zod";

/**
 * The telemetry batch of ADR 005 (`POST /api/telemetry/ingest`), the contract
 * between the agent's shipper (or any eBPF tracer) and the control plane.
 * Field names are the probes' (`comm`, `syscall_name`, `pid`); enum values
 * are the table enums; every bound keeps a value storable as-is, so a batch
 * that passes this schema never fails in Postgres on its values.
 */
export const NETWORK_DIRECTIONS = ["inbound", "outbound"] as const;
export const NETWORK_PROTOCOLS = ["tcp", "udp", "icmp"] as const;
export const NETWORK_ACTIONS = ["allowed", "denied", "blocked"] as const;
export const FILE_OPERATIONS = [
  "read",
  "write",
  "open",
  "create",
  "delete",
  "rename",
  "chmod",
  "exec",
] as const;

/** Most events one batch may carry (all three kinds together). */
export const MAX_EVENTS_PER_BATCH = 10_000;

/** `batch_id` / `Idempotency-Key`: what a shipper can derive from its spool. */
export const BATCH_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
export const BATCH_ID_RULE =
  "must be 1-128 characters: letters, digits, . _ : - (starting with a letter or digit)";

/** Telemetry time stamps are kept only inside this range (Postgres and JS both represent it). */
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Text Postgres can store: no NUL characters (`text` rejects U+0000). */
const text = (max: number) =>
  z
    .string({ error: "must be a string" })
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !s.includes("\u0000"), "must not contain NUL characters");
const nonEmptyText = (max: number) => text(max).refine((s) => s.length > 0, "must not be empty");

const int = (min: number, max: number) =>
  z
    .number({ error: "must be a number" })
    .int("must be an integer")
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

const INT32_MAX = 2_147_483_647;
const pid = int(0, INT32_MAX);
const counter = int(0, Number.MAX_SAFE_INTEGER);

export const Timestamp = z.iso
  .datetime({ offset: true, error: "must be an RFC 3339 date-time, e.g. 2026-02-21T08:00:00Z" })
  .refine((s) => {
    const t = Date.parse(s);
    return t >= EARLIEST && t <= LATEST;
  }, "must be between 1970-01-01 and 9999-12-31");

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.join(", ")}` });

export const SyscallEvent = z
  .object({
    syscall_name: nonEmptyText(64),
    syscall_num: int(0, INT32_MAX).nullish(),
    pid,
    comm: text(256),
    args: text(4096).nullish(),
    return_value: int(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER).nullish(),
    success: z.boolean({ error: "must be true or false" }),
    timestamp: Timestamp,
  })
  .strict();

export const NetworkEvent = z
  .object({
    direction: oneOf(NETWORK_DIRECTIONS),
    protocol: oneOf(NETWORK_PROTOCOLS),
    dst_ip: z.union([z.ipv4(), z.ipv6()], { error: "must be an IPv4 or IPv6 address" }),
    dst_port: int(0, 65535).nullish(),
    dns_query: text(253).nullish(),
    bytes_sent: counter.nullish(),
    bytes_recv: counter.nullish(),
    action: oneOf(NETWORK_ACTIONS),
    pid: pid.nullish(),
    comm: text(256).nullish(),
    timestamp: Timestamp,
  })
  .strict();

export const FileEvent = z
  .object({
    path: nonEmptyText(4096),
    operation: oneOf(FILE_OPERATIONS),
    pid,
    comm: text(256),
    success: z.boolean({ error: "must be true or false" }),
    timestamp: Timestamp,
  })
  .strict();

const events = <T extends z.ZodType>(event: T) =>
  z.array(event, { error: "must be an array" }).max(MAX_EVENTS_PER_BATCH).default([]);

export const TelemetryBatch = z
  .object({
    /** The app's slug, e.g. `openclaw-1`. */
    app_id: nonEmptyText(63),
    /** Stable per batch so a retry is stored once; the server picks one when absent. */
    batch_id: z.string({ error: "must be a string" }).regex(BATCH_ID, BATCH_ID_RULE).optional(),
    /** The enrolled node that shipped the batch, if any. */
    node_id: z.uuid({ error: "must be a UUID" }).optional(),
    syscall_events: events(SyscallEvent),
    network_events: events(NetworkEvent),
    file_events: events(FileEvent),
  })
  .strict();

export type SyscallEvent = z.infer<typeof SyscallEvent>;
export type NetworkEvent = z.infer<typeof NetworkEvent>;
export type FileEvent = z.infer<typeof FileEvent>;
/** A batch as a sender writes it (the event arrays may be left out). */
export type TelemetryBatchInput = z.input<typeof TelemetryBatch>;
export type TelemetryBatch = z.infer<typeof TelemetryBatch>;

/** What `POST /api/telemetry/ingest` answers, the first time and on every retry. */
export interface IngestResult {
  batch_id: string;
  accepted: { syscall_events: number; network_events: number; file_events: number };
  duplicate: boolean;
}
