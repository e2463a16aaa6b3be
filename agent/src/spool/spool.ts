import { randomUUID } from "node:crypto";
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import type { Logger } from "../log.ts";
import { writeFileAtomic } from "../state/files.ts";

/** One sealed batch as the sender hands it to `send`. */
export interface SpooledBatch<T = unknown> {
  /** Chosen when sealed, never changed: a retry or a restart sends the same id. */
  id: string;
  /** Order of sealing in this spool (oldest first). */
  seq: number;
  sealedAt: string;
  payload: T;
}

export interface SpoolOptions {
  dir: string;
  log: Logger;
  /** Bytes of pending batch files past which `seal` refuses new batches (default 64 MiB). */
  maxBytes?: number;
  /** Pending batches past which `seal` refuses new batches (default 10,000). */
  maxBatches?: number;
  /** Rejected batches kept in `rejected/`; past it the oldest is deleted with a warning (default 1,000). */
  maxRejected?: number;
  /** Prefix of generated batch ids, e.g. a node id (letters, digits, `.` `_` `:` `-`). */
  idPrefix?: string;
  now?: () => number;
}

export type SealResult<T> =
  | { ok: true; batch: SpooledBatch<T> }
  | { ok: false; reason: "full"; pending: number; pendingBytes: number };

interface Entry {
  seq: number;
  file: string;
  bytes: number;
}

const BATCH_FILE = /^(\d{12})\.json$/;
const TMP_FILE = /^\..*\.tmp$/;

/**
 * A directory of sealed batches, one JSON file each, named by sequence so
 * the oldest sorts first. Files are written atomically (temp + fsync +
 * rename, 0600). A crash after a send but before the delete leaves the file
 * in place: it is sent again under the same id, which the receiver dedupes.
 *
 * Full spool: `seal` refuses (returns `{ ok: false }` and logs a warning once
 * per episode) rather than deleting unsent data; the caller keeps its input
 * (a file tail simply does not advance its offset) and tries again later.
 */
export class Spool<T = unknown> {
  readonly dir: string;
  readonly rejectedDir: string;
  readonly #o: Required<Omit<SpoolOptions, "idPrefix">> & { idPrefix: string };
  readonly #pending: Entry[] = [];
  #pendingBytes = 0;
  #nextSeq = 0;
  #full = false;
  #listeners = new Set<() => void>();
  readonly counters = { spooled: 0, refused: 0, rejected: 0 };

  constructor(opts: SpoolOptions) {
    this.#o = {
      maxBytes: 64 * 1024 * 1024,
      maxBatches: 10_000,
      maxRejected: 1_000,
      now: Date.now,
      ...opts,
      idPrefix: opts.idPrefix ? `${opts.idPrefix}-` : "",
    };
    this.dir = opts.dir;
    this.rejectedDir = join(opts.dir, "rejected");
    mkdirSync(this.rejectedDir, { recursive: true, mode: 0o700 });
    for (const name of readdirSync(this.dir).sort()) {
      if (TMP_FILE.test(name)) {
        // A write torn by a crash: never renamed, so never sealed.
        unlinkSync(join(this.dir, name));
        continue;
      }
      const m = BATCH_FILE.exec(name);
      if (!m) continue;
      const file = join(this.dir, name);
      const entry = { seq: Number(m[1]), file, bytes: statSync(file).size };
      this.#pending.push(entry);
      this.#pendingBytes += entry.bytes;
    }
    this.#nextSeq = (this.#pending.at(-1)?.seq ?? -1) + 1;
  }

  /** Batches waiting to be sent, and their bytes on disk. */
  get pending(): number {
    return this.#pending.length;
  }
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** Batches in `rejected/` now. */
  rejectedOnDisk(): number {
    return readdirSync(this.rejectedDir).filter(
      (n) => n.endsWith(".json") && !n.endsWith(".error.json"),
    ).length;
  }

  /**
   * Writes `payload` as a new batch with a fresh stable id. Refuses (nothing
   * written) when the spool is at its size or count bound.
   */
  seal(payload: T): SealResult<T> {
    const body = (batch: SpooledBatch<T>) =>
      `${JSON.stringify({ id: batch.id, seq: batch.seq, sealed_at: batch.sealedAt, payload: batch.payload })}\n`;
    const batch: SpooledBatch<T> = {
      id: `${this.#o.idPrefix}${randomUUID()}`,
      seq: this.#nextSeq,
      sealedAt: new Date(this.#o.now()).toISOString(),
      payload,
    };
    const text = body(batch);
    const bytes = Buffer.byteLength(text);
    if (
      this.#pending.length >= this.#o.maxBatches ||
      (this.#pending.length > 0 && this.#pendingBytes + bytes > this.#o.maxBytes)
    ) {
      this.counters.refused++;
      if (!this.#full) {
        this.#o.log.warn("spool full: new batches are refused until it drains", {
          spool: this.dir,
          pending: this.#pending.length,
          pending_bytes: this.#pendingBytes,
          max_batches: this.#o.maxBatches,
          max_bytes: this.#o.maxBytes,
        });
      }
      this.#full = true;
      return { ok: false, reason: "full", pending: this.pending, pendingBytes: this.pendingBytes };
    }
    if (this.#full) {
      this.#full = false;
      this.#o.log.info("spool accepts batches again", { spool: this.dir });
    }
    const file = join(this.dir, `${String(batch.seq).padStart(12, "0")}.json`);
    writeFileAtomic(file, text);
    this.#nextSeq++;
    this.#pending.push({ seq: batch.seq, file, bytes });
    this.#pendingBytes += bytes;
    this.counters.spooled++;
    for (const listener of this.#listeners) listener();
    return { ok: true, batch };
  }

  /** Calls `listener` after every sealed batch; returns the unsubscribe function. */
  onSealed(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * The oldest pending batch, or undefined when none is. A file that cannot
   * be read as a batch is moved to `rejected/` (with the reason) and skipped.
   */
  oldest(): SpooledBatch<T> | undefined {
    for (;;) {
      const entry = this.#pending[0];
      if (!entry) return undefined;
      try {
        return this.#read(entry);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") {
          this.#drop(entry);
          continue;
        }
        this.reject(
          { id: `seq-${entry.seq}`, seq: entry.seq },
          `unreadable batch file: ${(err as Error).message}`,
        );
      }
    }
  }

  /** The most recently sealed batch still pending (a caller's crash recovery), or undefined. */
  newest(): SpooledBatch<T> | undefined {
    const entry = this.#pending.at(-1);
    if (!entry) return undefined;
    try {
      return this.#read(entry);
    } catch {
      return undefined; // `oldest()` sets it aside when its turn comes
    }
  }

  #read(entry: Entry): SpooledBatch<T> {
    const raw = JSON.parse(readFileSync(entry.file, "utf8")) as Record<string, unknown>;
    if (typeof raw.id !== "string" || typeof raw.sealed_at !== "string" || !("payload" in raw))
      throw new Error("not a spooled batch (id, sealed_at, payload)");
    return { id: raw.id, seq: entry.seq, sealedAt: raw.sealed_at, payload: raw.payload as T };
  }

  /** The batch was delivered: its file goes. */
  remove(batch: Pick<SpooledBatch, "seq">): void {
    const entry = this.#pending.find((e) => e.seq === batch.seq);
    if (!entry) return;
    try {
      unlinkSync(entry.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    this.#drop(entry);
  }

  /**
   * The receiver refused the batch for good: it moves to `rejected/` beside
   * a `<seq>.error.json` saying why, and is never sent again.
   */
  reject(batch: Pick<SpooledBatch, "id" | "seq">, reason: string): void {
    const entry = this.#pending.find((e) => e.seq === batch.seq);
    if (!entry) return;
    // Time first, so the rejected dir sorts oldest first across restarts (seqs restart at 0).
    const name = `${String(this.#o.now()).padStart(15, "0")}-${String(entry.seq).padStart(12, "0")}`;
    renameSync(entry.file, join(this.rejectedDir, `${name}.json`));
    writeFileSync(
      join(this.rejectedDir, `${name}.error.json`),
      `${JSON.stringify({ batch_id: batch.id, rejected_at: new Date(this.#o.now()).toISOString(), reason })}\n`,
      { mode: 0o600 },
    );
    this.#drop(entry);
    this.counters.rejected++;
    this.#o.log.error("batch rejected; kept in the rejected dir, not retried", {
      spool: this.dir,
      batch_id: batch.id,
      file: join(this.rejectedDir, `${name}.json`),
      reason,
    });
    this.#pruneRejected();
  }

  #drop(entry: Entry): void {
    const i = this.#pending.indexOf(entry);
    if (i < 0) return;
    this.#pending.splice(i, 1);
    this.#pendingBytes -= entry.bytes;
  }

  #pruneRejected(): void {
    const batches = readdirSync(this.rejectedDir)
      .filter((n) => n.endsWith(".json") && !n.endsWith(".error.json"))
      .sort();
    for (const name of batches.slice(0, Math.max(0, batches.length - this.#o.maxRejected))) {
      const base = name.slice(0, -".json".length);
      for (const f of [name, `${base}.error.json`]) {
        try {
          unlinkSync(join(this.rejectedDir, f));
        } catch {
          // Already gone.
        }
      }
      this.#o.log.warn("rejected dir over its bound: oldest rejected batch deleted", {
        spool: this.dir,
        file: join(this.rejectedDir, name),
        max_rejected: this.#o.maxRejected,
      });
    }
  }
}
