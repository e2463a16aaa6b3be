import { join } from "node:path";
import type { NetworkEvent, TelemetryBatchInput } from "@tether/schema/wire";
import { MAX_EVENTS_PER_BATCH } from "@tether/schema/wire";
import type { Logger } from "../log.ts";
import { type Clock, systemClock } from "../spool/clock.ts";
import { Sender, type SendOutcome } from "../spool/sender.ts";
import { Spool } from "../spool/spool.ts";
import type { SpoolStatus } from "../spool/status.ts";
import { readJsonFile, writeJsonFile } from "../state/files.ts";
import { type EventKind, parseEventLine } from "./lines.ts";
import { type CounterBaseline, counterEvents, type RuleCounter } from "./nft-counters.ts";
import { FileTail, type TailPosition } from "./tail.ts";

export interface TelemetrySource {
  /** A JSON-lines file (e.g. an eBPF tracer's output); followed across rotation and truncation. */
  path: string;
  /** The kind of every line, for a source of one kind; else each line's `kind` field says it. */
  kind?: EventKind;
}

export interface ShipperOptions {
  /** The app (slug) every batch is for; the ingest key must be bound to it. */
  appId: string;
  /** This node's id, sent as the batches' `node_id`. */
  nodeId?: string;
  sources: TelemetrySource[];
  /** Offsets (`offsets.json`) and the spool (`spool/`) live here. */
  stateDir: string;
  /** Where `spool-status/telemetry.json` is written for `tether-agent status`. */
  statusDir?: string;
  batchMaxEvents: number;
  batchMaxMs: number;
  /** How often sources are read (ms). */
  pollMs?: number;
  /** Delivers one batch (see `ingestSender`). */
  send: (batch: TelemetryBatchInput, batchId: string, signal: AbortSignal) => Promise<SendOutcome>;
  /** The agent's nftables counters, turned into network events every `intervalMs`. */
  nft?: {
    read: () => Promise<{ hash: string | null; counters: RuleCounter[] } | undefined>;
    /** This node's mesh IP (the destination of inbound mesh traffic); counters wait until it is known. */
    meshIp: () => string | undefined;
    intervalMs: number;
  };
  spool?: { maxBytes?: number; maxBatches?: number };
  backoff?: { baseMs?: number; capMs?: number };
  clock?: Clock;
  log: Logger;
}

/** What is committed: where each source stands and the counters last reported, after a sealed batch. */
interface Checkpoint {
  sources: Record<string, TailPosition>;
  nft: CounterBaseline | null;
  /** One more at every commit; a batch carries the generation its seal commits (see `#recover`). */
  generation: number;
}
/** A spooled batch: what is sent, and the checkpoint that holds once it is sealed. */
interface Payload {
  batch: TelemetryBatchInput;
  checkpoint: Checkpoint;
}

/** Bytes of event JSON past which a batch is sealed whatever its count (the Worker's body limit is larger). */
const BATCH_MAX_BYTES = 4 * 1024 * 1024;

/**
 * The agent's telemetry shipper: JSON-lines sources and the nftables
 * counters become ADR 005 batches, sealed by size or age (whichever first)
 * into a disk spool and sent by its sender.
 *
 * Exactly once across restarts: a source's read offset (inode + bytes) is
 * committed to `offsets.json` only after the lines before it are sealed in
 * a spooled batch, in the same tick as the seal; the batch carries that
 * checkpoint too, so a crash between the two writes is recovered from the
 * newest spooled batch. Lines read but not sealed are read again. A batch
 * keeps its id across retries and restarts, and the control plane stores a
 * batch id once. Malformed lines are counted and logged (source, line
 * number, why), never shipped. A full spool stops the reading (the sources
 * keep the lines) until it drains.
 *
 * @example
 * const shipper = new TelemetryShipper({ appId: "openclaw-1", sources: [{ path: "/var/log/tracer.jsonl" }],
 *   stateDir: join(dataDir, "telemetry"), batchMaxEvents: 500, batchMaxMs: 5000,
 *   send: ingestSender({ server, key }), log });
 * shipper.start();
 * await shipper.stop();
 */
export class TelemetryShipper {
  readonly #o: ShipperOptions;
  readonly #clock: Clock;
  readonly #spool: Spool<Payload>;
  readonly #sender: Sender<Payload>;
  readonly #tails: { source: TelemetrySource; tail: FileTail; lines: number; malformed: number }[];
  readonly #statePath: string;
  #committed: Checkpoint;
  #nft: CounterBaseline | null;
  #nftReadAt = Number.NEGATIVE_INFINITY;
  #buffer: Record<EventKind, unknown[]> = { syscall: [], network: [], file: [] };
  #buffered = 0;
  #bufferedBytes = 0;
  #bufferSince = 0;
  /** The spool refused the buffer (full): read nothing until it is sealed. */
  #blocked = false;
  #loop: Promise<void> | undefined;
  readonly #stop = new AbortController();
  readonly counters = { lines: 0, events: 0, malformed: 0, batches: 0, nft_events: 0 };

  constructor(opts: ShipperOptions) {
    if (opts.batchMaxEvents < 1 || opts.batchMaxEvents > MAX_EVENTS_PER_BATCH)
      throw new RangeError(`batchMaxEvents must be 1..${MAX_EVENTS_PER_BATCH}`);
    this.#o = opts;
    this.#clock = opts.clock ?? systemClock;
    this.#statePath = join(opts.stateDir, "offsets.json");
    this.#spool = new Spool<Payload>({
      dir: join(opts.stateDir, "spool"),
      log: opts.log,
      now: () => this.#clock.now(),
      ...(opts.nodeId ? { idPrefix: opts.nodeId } : {}),
      ...opts.spool,
    });
    this.#committed = this.#recover();
    this.#nft = this.#committed.nft;
    this.#tails = opts.sources.map((source) => ({
      source,
      tail: new FileTail(source.path, this.#committed.sources[source.path], (n) =>
        opts.log.info(`telemetry source ${n.kind}`, { source: source.path, ...n }),
      ),
      lines: 0,
      malformed: 0,
    }));
    this.#sender = new Sender<Payload>({
      spool: this.#spool,
      name: "telemetry",
      log: opts.log,
      send: (batch, signal) => opts.send(batch.payload.batch, batch.id, signal),
      clock: this.#clock,
      ...(opts.statusDir ? { status: { dataDir: opts.statusDir } } : {}),
      ...(opts.backoff ? { backoff: opts.backoff } : {}),
      extra: () => this.#extraStatus(),
    });
  }

  start(): void {
    if (this.#loop) return;
    this.#sender.start();
    this.#loop = this.#run();
  }

  /** Stops reading and sending; whatever was read but not sealed is read again next start. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    await this.#sender.stop();
    for (const t of this.#tails) t.tail.close();
  }

  status(): SpoolStatus {
    return this.#sender.status();
  }

  /**
   * One pass: read every source (sealing whenever a batch is full), the
   * counters when due, and seal a batch old enough. The loop calls it every
   * `pollMs`; tests call it directly.
   */
  async tick(): Promise<void> {
    if (this.#blocked && !this.#seal()) return;
    for (const t of this.#tails) {
      for (;;) {
        const lines = t.tail.read(this.#o.batchMaxEvents - this.#buffered);
        if (lines.length === 0) break;
        for (const line of lines) {
          t.lines++;
          this.counters.lines++;
          const parsed =
            line.text === null
              ? ({ ok: false, reason: "line too long" } as const)
              : parseEventLine(line.text, t.source.kind);
          if (!parsed.ok) {
            t.malformed++;
            this.counters.malformed++;
            this.#o.log.warn("telemetry line malformed; not shipped", {
              source: t.source.path,
              // The file's inode: after a rotation, line numbers count from 1 in the new file.
              ino: line.end.ino,
              line: line.line,
              reason: parsed.reason,
            });
            continue;
          }
          this.#add(parsed.kind, parsed.event);
        }
        if (this.#full() && !this.#seal()) return;
      }
    }
    await this.#readCounters();
    if (this.#buffered > 0 && this.#clock.now() - this.#bufferSince >= this.#o.batchMaxMs) {
      if (!this.#seal()) return;
    }
    if (this.#buffered === 0) this.#commit(this.#checkpoint(), false);
    this.#sender.writeStatus();
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      try {
        await this.tick();
      } catch (err) {
        this.#o.log.error("telemetry shipper pass failed", { error: err as Error });
      }
      await this.#clock.sleep(this.#o.pollMs ?? 1000, signal);
    }
  }

  #add(kind: EventKind, event: unknown): void {
    if (this.#buffered === 0) this.#bufferSince = this.#clock.now();
    this.#buffer[kind].push(event);
    this.#buffered++;
    this.#bufferedBytes += JSON.stringify(event).length;
    this.counters.events++;
  }

  #full(): boolean {
    return this.#buffered >= this.#o.batchMaxEvents || this.#bufferedBytes >= BATCH_MAX_BYTES;
  }

  async #readCounters(): Promise<void> {
    const nft = this.#o.nft;
    if (!nft || this.#clock.now() - this.#nftReadAt < nft.intervalMs) return;
    const meshIp = nft.meshIp();
    if (!meshIp) return;
    this.#nftReadAt = this.#clock.now();
    let read: Awaited<ReturnType<typeof nft.read>>;
    try {
      read = await nft.read();
    } catch (err) {
      this.#o.log.warn("nftables counters not read", { error: err as Error });
      return;
    }
    if (!read) return;
    const { events, baseline } = counterEvents(
      this.#nft ?? undefined,
      read,
      meshIp,
      new Date(this.#clock.now()),
    );
    if (this.#buffered + events.length > this.#o.batchMaxEvents && !this.#seal()) return;
    for (const e of events) this.#add("network", e satisfies NetworkEvent);
    this.counters.nft_events += events.length;
    this.#nft = baseline;
  }

  /** Where the sources and counters stand now: what the next commit writes. */
  #checkpoint(): Checkpoint {
    const sources: Record<string, TailPosition> = { ...this.#committed.sources };
    for (const t of this.#tails) {
      const p = t.tail.position;
      if (p.ino > 0) sources[t.source.path] = p;
    }
    return { sources, nft: this.#nft, generation: this.#committed.generation + 1 };
  }

  /** Seals the buffer and commits its checkpoint; false when the spool refused it (full). */
  #seal(): boolean {
    if (this.#buffered === 0) {
      this.#blocked = false;
      return true;
    }
    const checkpoint = this.#checkpoint();
    const sealed = this.#spool.seal({
      batch: {
        app_id: this.#o.appId,
        ...(this.#o.nodeId ? { node_id: this.#o.nodeId } : {}),
        syscall_events: this.#buffer.syscall as TelemetryBatchInput["syscall_events"],
        network_events: this.#buffer.network as TelemetryBatchInput["network_events"],
        file_events: this.#buffer.file as TelemetryBatchInput["file_events"],
      },
      checkpoint,
    });
    if (!sealed.ok) {
      this.#blocked = true;
      return false;
    }
    this.#blocked = false;
    this.#buffer = { syscall: [], network: [], file: [] };
    this.#buffered = 0;
    this.#bufferedBytes = 0;
    this.counters.batches++;
    // Same tick as the seal: the sender cannot have sent (and deleted) it yet.
    this.#commit(checkpoint, true);
    return true;
  }

  /** Writes `next`; an idle commit (`sealed` false) only when a source or the counters moved. */
  #commit(next: Checkpoint, sealed: boolean): void {
    const moved = (a: Checkpoint, b: Checkpoint) =>
      JSON.stringify([a.sources, a.nft]) !== JSON.stringify([b.sources, b.nft]);
    if (!sealed && !moved(next, this.#committed)) return;
    writeJsonFile(this.#statePath, next);
    this.#committed = next;
  }

  /**
   * The committed checkpoint, or the newest spooled batch's when a crash
   * came between its seal and the commit: its generation is then past the
   * committed one. (No batch sealed after it can have been sent and deleted:
   * the sender goes oldest first, and it is the newest.)
   */
  #recover(): Checkpoint {
    const saved = (readJsonFile(this.#statePath) as Checkpoint | undefined) ?? {
      sources: {},
      nft: null,
      generation: 0,
    };
    const newest = this.#spool.newest()?.payload.checkpoint;
    if (newest && newest.generation > saved.generation) {
      this.#o.log.info("telemetry offsets taken from the newest spooled batch (uncommitted)", {
        generation: newest.generation,
      });
      writeJsonFile(this.#statePath, newest);
      return newest;
    }
    return saved;
  }

  #extraStatus(): Record<string, unknown> {
    return {
      app_id: this.#o.appId,
      buffered_events: this.#buffered,
      ...this.counters,
      sources: this.#tails.map((t) => ({
        path: t.source.path,
        position: this.#committed.sources[t.source.path] ?? null,
        lines: t.lines,
        malformed: t.malformed,
      })),
    };
  }
}
