import { SeqGate } from "../hub/seq-gate.ts";

/**
 * One agent's SSE stream, fed by frames from the Hub bridge and by replayed
 * events. Frames are emitted in sequence order without duplicates (see
 * {@link SeqGate}).
 */
export class SseStream {
  readonly readable: ReadableStream<Uint8Array>;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #encoder = new TextEncoder();
  readonly #gate: SeqGate;
  #closed = false;
  readonly #onClose: (() => void)[] = [];

  constructor(afterSeq: number) {
    // workerd's native byte pipe where there is one: a JS TransformStream
    // makes the runtime pump every frame through JavaScript to the socket.
    const { readable, writable } =
      typeof IdentityTransformStream === "function"
        ? new IdentityTransformStream()
        : new TransformStream<Uint8Array, Uint8Array>();
    this.readable = readable;
    this.#writer = writable.getWriter();
    this.#gate = new SeqGate(afterSeq, (frame) => this.write(frame));
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
    this.#gate.live(frame);
  }

  /** A replayed frame (sequence order). */
  replayed(frame: string): void {
    this.#gate.replayed(frame);
  }

  /** Replay finished: release held live frames. */
  replayDone(): void {
    this.#gate.done();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#writer.close().catch(() => {});
    for (const fn of this.#onClose) fn();
  }
}
