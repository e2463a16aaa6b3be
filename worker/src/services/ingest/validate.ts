import { MAX_EVENTS_PER_BATCH, TelemetryBatch } from "@tether/schema/wire";
import { ApiError, type FieldIssue, fieldIssues } from "../../errors.ts";

/** A 400 lists at most this many problems, then says how many more there were. */
export const MAX_LISTED_ISSUES = 100;

const KINDS = ["syscall_events", "network_events", "file_events"] as const;

/**
 * The whole batch checked before anything is written: 413 past
 * {@link MAX_EVENTS_PER_BATCH} events, else 400 `validation_failed` naming
 * each offending `body.<kind>[<index>].<field>` and why (the first
 * {@link MAX_LISTED_ISSUES}, then a count of the rest).
 */
export function validateBatch(json: unknown): TelemetryBatch {
  if (json !== null && typeof json === "object" && !Array.isArray(json)) {
    const record = json as Record<string, unknown>;
    let events = 0;
    for (const kind of KINDS) {
      const list = record[kind];
      if (Array.isArray(list)) events += list.length;
    }
    if (events > MAX_EVENTS_PER_BATCH) {
      throw new ApiError(
        "payload_too_large",
        `a batch carries at most ${MAX_EVENTS_PER_BATCH} events; this one has ${events}: split it`,
        { max_events: MAX_EVENTS_PER_BATCH, events },
      );
    }
  }
  const parsed = TelemetryBatch.safeParse(json);
  if (parsed.success) return parsed.data;
  // One problem per field: a value that is not a date-time is not also out of range.
  const seen = new Set<string>();
  const issues = fieldIssues(parsed.error.issues, "body").filter(
    (i) => !seen.has(i.path) && seen.add(i.path),
  );
  if (issues.length === 1 && issues[0]?.path === "body") {
    issues[0].message = "must be a JSON object (a telemetry batch)";
  }
  throw cappedValidationError(issues);
}

/** `validation_failed` with the first {@link MAX_LISTED_ISSUES} issues and a count of the rest. */
export function cappedValidationError(issues: FieldIssue[]): ApiError {
  const listed = issues.slice(0, MAX_LISTED_ISSUES);
  const more = issues.length - listed.length;
  if (more > 0) listed.push({ path: "body", message: `and ${more} more problems` });
  const summary = listed
    .slice(0, 5)
    .map((i) => `${i.path}: ${i.message}`)
    .join("; ");
  const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
  return new ApiError(
    "validation_failed",
    `invalid batch (${count}, nothing stored): ${summary}${issues.length > 5 ? "; …" : ""}`,
    listed,
  );
}
