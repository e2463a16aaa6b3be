import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** A sender's counters as `tether-agent status` prints them; one file per spool. */
export interface SpoolStatus {
  name: string;
  /** Batches on disk waiting to be sent, and their bytes. */
  pending: number;
  pending_bytes: number;
  /** Since the agent started: batches sealed, refused (spool full), delivered, of which duplicates, failed attempts, rejected. */
  spooled: number;
  refused: number;
  sent: number;
  duplicates: number;
  retried: number;
  rejected: number;
  /** Batches kept in `rejected/` now. */
  rejected_on_disk: number;
  consecutive_failures: number;
  last_error: string | null;
  last_sent_at: string | null;
  next_attempt_at: string | null;
  updated_at: string;
  /** What the spool's owner adds (e.g. a shipper's source offsets and malformed-line counts). */
  extra?: Record<string, unknown>;
}

const statusDir = (dataDir: string) => join(dataDir, "spool-status");

/**
 * Replaces the status file by rename. No fsync: it is a progress report,
 * rewritten after every attempt, and a stale one after a crash is harmless.
 */
export function writeSpoolStatus(dataDir: string, status: SpoolStatus): void {
  const dir = statusDir(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const file = join(dir, `${status.name}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(status, null, 2)}\n`, { mode: 0o644 });
  renameSync(tmp, file);
}

/** Every spool's last status under `dataDir`, by name. */
export function readSpoolStatuses(dataDir: string): SpoolStatus[] {
  let names: string[];
  try {
    names = readdirSync(statusDir(dataDir));
  } catch {
    return [];
  }
  const out: SpoolStatus[] = [];
  for (const name of names.filter((n) => n.endsWith(".json")).sort()) {
    try {
      out.push(JSON.parse(readFileSync(join(statusDir(dataDir), name), "utf8")) as SpoolStatus);
    } catch {
      // Half-written by an older agent, or not ours: skip it.
    }
  }
  return out;
}
