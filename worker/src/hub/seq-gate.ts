/**
 * Orders one connection's frames while it is resumed: live frames that
 * arrive during the replay are held, then released if newer than the
 * replay's last sequence number, and no sequenced frame is ever emitted
 * twice or out of order. Unsequenced frames (pings, acks) pass straight
 * through once the replay is over.
 *
 * @example
 * const gate = new SeqGate(lastEventId, (frame) => socket.send(frame));
 * gate.live(frameFromHub); // held
 * for (const f of replayFrames) gate.replayed(f);
 * gate.done(); // replay, then the held live frames, in order
 */
export class SeqGate {
  readonly #held: string[] = [];
  #replaying: boolean;
  #lastSeq: number;

  constructor(
    afterSeq: number,
    private readonly emit: (frame: string) => void,
    replaying = true,
  ) {
    this.#lastSeq = afterSeq;
    this.#replaying = replaying;
  }

  get replaying(): boolean {
    return this.#replaying;
  }

  /** A frame published after the connection attached. */
  live(frame: string): void {
    if (this.#replaying) this.#held.push(frame);
    else this.#pass(frame);
  }

  /** A replayed frame (sequence order). */
  replayed(frame: string): void {
    this.#pass(frame);
  }

  /** The replay is over: release the held live frames. */
  done(): void {
    this.#replaying = false;
    for (const frame of this.#held.splice(0)) this.#pass(frame);
  }

  #pass(frame: string): void {
    const seq = frameSeq(frame);
    if (seq !== undefined) {
      if (seq <= this.#lastSeq) return;
      this.#lastSeq = seq;
    }
    this.emit(frame);
  }
}

/** The `id:` of an SSE frame, if it has one. */
export function frameSeq(frame: string): number | undefined {
  if (!frame.startsWith("id: ")) return undefined;
  const end = frame.indexOf("\n");
  const seq = Number(frame.slice(4, end));
  return Number.isSafeInteger(seq) ? seq : undefined;
}
