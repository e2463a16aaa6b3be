import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** Where a tail stands in a file: its inode, the bytes and lines consumed. */
export interface TailPosition {
  ino: number;
  offset: number;
  line: number;
}

/** A complete line (no newline), its 1-based number in its file, and the position after it. */
export interface TailLine {
  /** The line's text; null when it was longer than the limit (skipped up to its newline). */
  text: string | null;
  line: number;
  end: TailPosition;
}

/** What happened to the file under a tail besides appends (for logs). */
export type TailNotice =
  | { kind: "rotated"; from: number; to: number }
  | { kind: "truncated"; ino: number; at: number }
  | { kind: "resumed-rotated"; ino: number; file: string }
  | { kind: "lost-rotated"; ino: number };

const CHUNK = 64 * 1024;
/** Longest line kept (bytes); a longer one is reported as `text: null`. */
export const MAX_LINE_BYTES = 1024 * 1024;

/**
 * Follows one JSON-lines file like `tail -F`: appends, truncation (starts
 * again at 0) and rotation by rename (drains the old inode, then opens the
 * new file). A trailing line without its newline waits for it; when the file
 * it is in has been rotated away it is taken as it is.
 *
 * The position is only advanced in memory; the caller persists the `end` of
 * the last line it has sealed and passes it back as `start` after a restart.
 * A `start` naming an inode that is no longer at `path` (rotated while the
 * agent was down) is looked for among the files of the same directory and
 * drained first.
 *
 * @example
 * const tail = new FileTail("/var/log/tracer.jsonl", saved, (n) => log.info("tail", n));
 * for (const { text, line, end } of tail.read(1000)) { … }
 */
export class FileTail {
  readonly path: string;
  #fd: number | undefined;
  #ino = 0;
  #offset = 0;
  #line = 0;
  /** Bytes read past `#offset` that do not end a line yet. */
  #carry: Buffer = Buffer.alloc(0);
  /** Inside a too-long line: drop bytes up to the next newline. */
  #skipping = false;
  readonly #start: TailPosition | undefined;
  #firstOpen = true;
  readonly #notice: (n: TailNotice) => void;
  readonly #buf = Buffer.alloc(CHUNK);

  constructor(path: string, start?: TailPosition, notice: (n: TailNotice) => void = () => {}) {
    this.path = path;
    this.#start = start;
    this.#notice = notice;
  }

  /** Position after the last line returned so far. */
  get position(): TailPosition {
    return { ino: this.#ino, offset: this.#offset, line: this.#line };
  }

  /** Complete lines available now, at most `max`. */
  read(max: number): TailLine[] {
    const out: TailLine[] = [];
    while (out.length < max) {
      if (this.#fd === undefined && !this.#open()) return out;
      this.#takeLines(out, max);
      if (out.length >= max) return out;
      const n = readSync(this.#fd!, this.#buf, 0, CHUNK, this.#offset + this.#carry.length);
      if (n > 0) {
        this.#carry = Buffer.concat([this.#carry, this.#buf.subarray(0, n)]);
        continue;
      }
      // End of this inode for now: rotated, truncated, or just nothing new.
      if (!this.#checkFile(out)) return out;
    }
    return out;
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  /** Opens `path` (or first the rotated file `start` names); false when there is nothing to open yet. */
  #open(): boolean {
    const start = this.#firstOpen ? this.#start : undefined;
    this.#firstOpen = false;
    if (start) {
      let ino: number | undefined;
      try {
        ino = statSync(this.path).ino;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      }
      if (ino !== start.ino && this.#resumeRotated(start)) return true;
    }
    let fd: number;
    try {
      fd = openSync(this.path, "r");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw err;
    }
    const st = fstatSync(fd);
    this.#fd = fd;
    this.#ino = st.ino;
    this.#reset();
    if (start && start.ino === st.ino) {
      if (st.size >= start.offset) {
        this.#offset = start.offset;
        this.#line = start.line;
      } else {
        this.#notice({ kind: "truncated", ino: st.ino, at: start.offset });
      }
    }
    return true;
  }

  /** Opens the file `start` was in, now under another name in the same directory (e.g. `x.1`). */
  #resumeRotated(start: TailPosition): boolean {
    const dir = dirname(this.path);
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((n) => n !== basename(this.path));
    } catch {
      // No directory: nothing rotated to find.
    }
    for (const name of names) {
      const file = join(dir, name);
      try {
        if (statSync(file).ino !== start.ino) continue;
        this.#fd = openSync(file, "r");
      } catch {
        continue;
      }
      this.#ino = start.ino;
      this.#reset();
      this.#offset = start.offset;
      this.#line = start.line;
      this.#notice({ kind: "resumed-rotated", ino: start.ino, file });
      return true;
    }
    this.#notice({ kind: "lost-rotated", ino: start.ino });
    return false;
  }

  /** After EOF: switch on rotation or truncation (true: read on), else false. */
  #checkFile(out: TailLine[]): boolean {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return false; // renamed, new one not yet created
      throw err;
    }
    if (st.ino !== this.#ino) {
      // The old inode is drained: its last bytes without a newline are a line of their own.
      if (this.#carry.length > 0 && !this.#skipping) this.#emit(out, this.#carry);
      this.#notice({ kind: "rotated", from: this.#ino, to: st.ino });
      this.close();
      try {
        this.#fd = openSync(this.path, "r");
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return false; // renamed again meanwhile
        throw err;
      }
      this.#ino = fstatSync(this.#fd).ino;
      this.#reset();
      return true;
    }
    if (st.size < this.#offset + this.#carry.length) {
      this.#notice({ kind: "truncated", ino: this.#ino, at: this.#offset });
      this.#reset();
      return true;
    }
    return false;
  }

  #reset(): void {
    this.#offset = 0;
    this.#line = 0;
    this.#carry = Buffer.alloc(0);
    this.#skipping = false;
  }

  #takeLines(out: TailLine[], max: number): void {
    while (out.length < max) {
      const nl = this.#carry.indexOf(0x0a);
      if (nl < 0) {
        if (this.#carry.length > MAX_LINE_BYTES && !this.#skipping) {
          // Report it once, then drop its bytes until the newline comes.
          this.#skipping = true;
          this.#line++;
          out.push({ text: null, line: this.#line, end: this.position });
        }
        if (this.#skipping) {
          this.#offset += this.#carry.length;
          this.#carry = Buffer.alloc(0);
        }
        return;
      }
      const bytes = this.#carry.subarray(0, nl);
      this.#carry = this.#carry.subarray(nl + 1);
      if (this.#skipping) {
        this.#skipping = false;
        this.#offset += nl + 1;
        continue;
      }
      this.#offset += 1; // the newline; #emit adds the text's bytes
      this.#emit(out, bytes);
    }
  }

  #emit(out: TailLine[], bytes: Buffer): void {
    this.#offset += bytes.length;
    this.#line++;
    const text = bytes.length > MAX_LINE_BYTES ? null : bytes.toString("utf8").replace(/\r$/, "");
    out.push({ text, line: this.#line, end: this.position });
    if (bytes === this.#carry) this.#carry = Buffer.alloc(0);
  }
}
