/**
 * One agent's SSE stream, fed by frames from the Hub bridge and by replayed
 * events. Frames are emitted in sequence order without duplicates: live
 * frames that arrive while the replay runs are held, then released if newer
 * than the replay's last sequence number.
 */
export class SseStream {
  readonly readable: ReadableStream<Uint8Array>;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #encoder = new TextEncoder();
  readonly #held: string[] = [];
  #replaying = true;
  #lastSeq: number;
  #closed = false;
  readonly #onClose: (() => void)[] = [];

  constructor(afterSeq: number) {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    this.readable = readable;
    this.#writer = writable.getWriter();
    this.#lastSeq = afterSeq;
  }

  get closed(): boolean {
    return this.#closed;
  }

  onClose(fn: () => void): void {
    this.#onClose.push(fn);
  }

  /** Raw text (comments, `retry:`), written at once. */
  write(text: string): void {
    if (this.#closed) return;
    this.#writer.write(this.#encoder.encode(text)).catch(() => this.close());
  }

  /** A frame from the Hub: held during the replay, dropped if not newer than what was sent. */
  live(frame: string): void {
    if (this.#replaying) this.#held.push(frame);
    else this.#emit(frame);
  }

  /** A replayed frame (sequence order). */
  replayed(frame: string): void {
    this.#emit(frame);
  }

  /** Replay finished: release held live frames. */
  replayDone(): void {
    this.#replaying = false;
    for (const frame of this.#held.splice(0)) this.#emit(frame);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#writer.close().catch(() => {});
    for (const fn of this.#onClose) fn();
  }

  #emit(frame: string): void {
    const seq = frameSeq(frame);
    if (seq !== undefined) {
      if (seq <= this.#lastSeq) return;
      this.#lastSeq = seq;
    }
    this.write(frame);
  }
}

/** The `id:` of an SSE frame, if it has one. */
export function frameSeq(frame: string): number | undefined {
  const m = /^id: (\d+)\n/.exec(frame);
  return m ? Number(m[1]) : undefined;
}
