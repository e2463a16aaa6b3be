import { MAX_EVENTS_PER_BATCH } from "@tether/schema/wire";
import { z } from "zod";
import { EVENT_KINDS } from "../shipper/lines.ts";

const int = (min: number, max: number, unit: string) => {
  const msg = `must be a whole number of ${unit} from ${min} to ${max}`;
  return z.number(msg).int(msg).min(min, msg).max(max, msg);
};

/**
 * The `telemetry` setting: what the shipper tails and how it batches. The
 * ingest key is not a setting (settings may be printed): it comes from
 * `TETHER_INGEST_KEY` or from the 0600 file `ingest_key_file` names.
 *
 * @example
 * { "telemetry": { "app_id": "openclaw-1", "ingest_key_file": "/etc/tether/ingest.key",
 *   "sources": [{ "path": "/var/log/tracer.jsonl" }, { "path": "/var/log/files.jsonl", "kind": "file" }] } }
 */
export const TelemetryConfigSchema = z
  .object({
    /** The app (slug) the batches are for; the ingest key must be bound to it. */
    app_id: z
      .string("must be an app slug")
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be an app slug (lower-case letters, digits, -)"),
    ingest_key_file: z.string().min(1, "must not be empty").optional(),
    /** JSON-lines files; `kind` for a file of one kind, else each line's `kind` field says it. */
    sources: z
      .array(
        z
          .object({
            path: z.string().min(1, "must not be empty"),
            kind: z.enum(EVENT_KINDS, `must be one of ${EVENT_KINDS.join(", ")}`).optional(),
          })
          .strict(),
        "must be a list of { path, kind? }",
      )
      .default([]),
    /** Report the agent's nftables drop/accept counters as network events. */
    nft_counters: z.boolean("must be true or false").default(true),
    /** Seconds between two readings of the nftables counters. */
    nft_interval: int(1, 86_400, "seconds").default(60),
    batch_max_events: int(1, MAX_EVENTS_PER_BATCH, "events").default(1000),
    batch_max_ms: int(100, 3_600_000, "milliseconds").default(5000),
    poll_ms: int(50, 60_000, "milliseconds").default(1000),
    /** Bytes of unsent batches kept on disk before the shipper stops reading its sources. */
    spool_max_bytes: int(1024 * 1024, 2 ** 40, "bytes").default(256 * 1024 * 1024),
  })
  .strict();

export type TelemetryConfig = z.output<typeof TelemetryConfigSchema>;
