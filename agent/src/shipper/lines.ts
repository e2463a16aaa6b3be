import {
  FileEvent,
  type FileEvent as FileEventT,
  NetworkEvent,
  type NetworkEvent as NetworkEventT,
  SyscallEvent,
  type SyscallEvent as SyscallEventT,
} from "@tether/schema/wire";
import type { z } from "zod";

/** The three event kinds of ADR 005's batch, by the name a line or a source gives them. */
export const EVENT_KINDS = ["syscall", "network", "file"] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** Which array of the batch each kind goes to. */
export const BATCH_FIELD = {
  syscall: "syscall_events",
  network: "network_events",
  file: "file_events",
} as const satisfies Record<EventKind, string>;

const SCHEMAS: Record<EventKind, z.ZodType> = {
  syscall: SyscallEvent,
  network: NetworkEvent,
  file: FileEvent,
};

export type ParsedEvent =
  | { kind: "syscall"; event: SyscallEventT }
  | { kind: "network"; event: NetworkEventT }
  | { kind: "file"; event: FileEventT };

export type LineResult = ({ ok: true } & ParsedEvent) | { ok: false; reason: string };

/**
 * One JSON line → one event, validated with the schema the ingest webhook
 * uses, so a line that passes here is never the reason a batch is refused.
 *
 * The line says its kind in a `kind` field (`"syscall"`, `"network"`,
 * `"file"`), removed before validation; a source configured with a `kind`
 * takes lines without one (a line naming another kind is refused). All
 * other fields are the event's, with ADR 005's names:
 *
 * @example
 * parseEventLine('{"kind":"file","path":"/etc/passwd","operation":"read","pid":1,"comm":"cat","success":true,"timestamp":"2026-02-21T08:00:00Z"}')
 * // { ok: true, kind: "file", event: { path: "/etc/passwd", … } }
 */
export function parseEventLine(text: string, sourceKind?: EventKind): LineResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { ok: false, reason: "not a JSON object" };
  const { kind: given, ...fields } = value as Record<string, unknown>;
  if (given !== undefined && !EVENT_KINDS.includes(given as EventKind))
    return { ok: false, reason: `kind: must be one of ${EVENT_KINDS.join(", ")}` };
  if (given !== undefined && sourceKind !== undefined && given !== sourceKind)
    return { ok: false, reason: `kind: ${String(given)} in a source of ${sourceKind} events` };
  const kind = (given as EventKind | undefined) ?? sourceKind;
  if (kind === undefined)
    return { ok: false, reason: `kind: missing (one of ${EVENT_KINDS.join(", ")})` };
  const parsed = SCHEMAS[kind].safeParse(fields);
  if (!parsed.success) {
    const reason = parsed.error.issues
      .slice(0, 5)
      .map((i) => {
        const path = i.path.join(".");
        if (i.code === "unrecognized_keys") return `unknown field(s) ${i.keys.join(", ")}`;
        return path ? `${path}: ${i.message}` : i.message;
      })
      .join("; ");
    return { ok: false, reason };
  }
  return { ok: true, kind, event: parsed.data } as LineResult;
}
