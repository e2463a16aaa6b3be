import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readJsonFile, writeJsonFile } from "../state/files.ts";

/**
 * Nonces of accepted envelopes with their `issued_at`, and the last accepted
 * sequence number, persisted under the data dir so a restarted agent still
 * refuses a replay. Only nonces young enough to pass the staleness check need
 * remembering; older ones are pruned, and the count is capped.
 *
 * Each accepted envelope appends one line to a journal before it is acted on
 * (an `O_APPEND` write: it survives a crash or restart of the agent); every
 * {@link COMPACT_EVERY} lines the live set is written atomically (fsync +
 * rename) and the journal emptied. A full rewrite with fsync per event cost
 * ~15 ms each, so a replay of 1000 missed events took 15 s.
 */
export const COMPACT_EVERY = 500;

type JournalLine = { n?: string; t?: number; s?: number; reset?: boolean };

export class NonceStore {
  readonly #snapshot: string;
  readonly #journal: string;
  readonly #seen = new Map<string, number>();
  #lastSeq = -1;
  #journalLines = 0;

  constructor(
    dataDir: string,
    private readonly keepMs: number,
    private readonly max = 20_000,
  ) {
    this.#snapshot = join(dataDir, "nonces.json");
    this.#journal = join(dataDir, "nonces.journal");
    this.#load();
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  has(nonce: string): boolean {
    return this.#seen.has(nonce);
  }

  get size(): number {
    return this.#seen.size;
  }

  /** Records an accepted envelope on disk before the event is acted on. */
  record(nonce: string, issuedAtMs: number, seq: number | undefined, nowMs: number): void {
    this.#seen.set(nonce, issuedAtMs);
    if (seq !== undefined) this.#lastSeq = Math.max(this.#lastSeq, seq);
    this.#prune(nowMs);
    this.#append({ n: nonce, t: issuedAtMs, ...(seq === undefined ? {} : { s: seq }) });
  }

  /** After a full state fetch: resume the sequence from the state's. */
  resetSeq(seq: number): void {
    if (seq === this.#lastSeq) return;
    this.#lastSeq = seq;
    this.#append({ s: seq, reset: true });
  }

  #append(line: JournalLine): void {
    if (this.#journalLines >= COMPACT_EVERY) {
      this.#compact();
      return;
    }
    appendFileSync(this.#journal, `${JSON.stringify(line)}\n`, { mode: 0o600 });
    this.#journalLines++;
  }

  #compact(): void {
    writeJsonFile(this.#snapshot, { last_seq: this.#lastSeq, nonces: [...this.#seen] });
    writeFileSync(this.#journal, "", { mode: 0o600 });
    this.#journalLines = 0;
  }

  #prune(nowMs: number): void {
    for (const [nonce, at] of this.#seen) {
      if (nowMs - at > this.keepMs) this.#seen.delete(nonce);
    }
    // Maps iterate in insertion order: drop the oldest first.
    for (const nonce of this.#seen.keys()) {
      if (this.#seen.size <= this.max) break;
      this.#seen.delete(nonce);
    }
  }

  #load(): void {
    let raw: unknown;
    try {
      raw = readJsonFile(this.#snapshot);
    } catch {
      raw = undefined; // Damaged: the journal and the staleness window still bound replays.
    }
    const data = raw as { last_seq?: unknown; nonces?: unknown } | undefined;
    if (typeof data?.last_seq === "number") this.#lastSeq = data.last_seq;
    if (Array.isArray(data?.nonces)) {
      for (const entry of data.nonces) {
        if (Array.isArray(entry) && typeof entry[0] === "string" && typeof entry[1] === "number") {
          this.#seen.set(entry[0], entry[1]);
        }
      }
    }
    let journal = "";
    try {
      journal = readFileSync(this.#journal, "utf8");
    } catch {
      return;
    }
    for (const text of journal.split("\n")) {
      if (!text) continue;
      let line: JournalLine;
      try {
        line = JSON.parse(text) as JournalLine;
      } catch {
        continue; // A torn last line.
      }
      this.#journalLines++;
      if (typeof line.n === "string" && typeof line.t === "number") this.#seen.set(line.n, line.t);
      if (typeof line.s === "number") {
        this.#lastSeq = line.reset ? line.s : Math.max(this.#lastSeq, line.s);
      }
    }
  }
}
