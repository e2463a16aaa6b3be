import type { webcrypto } from "node:crypto";
import { createParser } from "eventsource-parser";
import { type Envelope, type SigningKeyInfo, signingBytes } from "@tether/schema/wire";

/**
 * A simulated agent: a real SSE connection to the control plane, Ed25519
 * verification of every envelope, and an ack through POST /status, as the
 * real agent does, without touching the kernel.
 */
export interface Enrolled {
  id: string;
  credential: string;
  keys: SigningKeyInfo[];
}

export class SimAgent {
  readonly #abort = new AbortController();
  #keys: webcrypto.CryptoKey[] = [];
  /** ping id → receive time. */
  readonly pings = new Map<string, number>();
  /** revision → ack completion time. */
  readonly acks = new Map<number, number>();
  /** revision → time the signed event arrived (before verification). */
  readonly received = new Map<number, number>();
  verifyFailures = 0;
  batchedAcks = 0;
  retries = 0;
  connected = false;

  constructor(
    readonly server: string,
    readonly node: Enrolled,
  ) {}

  async start(): Promise<void> {
    this.#keys = await Promise.all(
      this.node.keys.map((k) =>
        crypto.subtle.importKey(
          "raw",
          Buffer.from(k.public_key, "base64"),
          { name: "Ed25519" },
          false,
          ["verify"],
        ),
      ),
    );
    let res: Response | undefined;
    for (let attempt = 0; !res; attempt++) {
      try {
        res = await fetch(`${this.server}/v1/nodes/${this.node.id}/events`, {
          headers: { authorization: `Bearer ${this.node.credential}` },
          signal: this.#abort.signal,
        });
      } catch (err) {
        if (attempt >= 5) throw err;
        this.retries++;
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
    if (res.status !== 200 || !res.body)
      throw new Error(`stream: ${res.status} ${await res.text()}`);
    this.connected = true;
    const parser = createParser({
      onEvent: (ev) => {
        if (ev.event === "ping") {
          this.pings.set((JSON.parse(ev.data) as { id: string }).id, performance.now());
        } else if (ev.event === "policy_updated") {
          void this.#onPolicy(ev.data);
        }
      },
    });
    const decoder = new TextDecoder();
    void (async () => {
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          parser.feed(decoder.decode(chunk, { stream: true }));
        }
      } catch {
        // Aborted at the end of the run.
      }
      this.connected = false;
    })();
  }

  async #onPolicy(data: string, attempt = 0): Promise<void> {
    const envelope = JSON.parse(data) as Envelope;
    if (attempt === 0) {
      const rev = (JSON.parse(envelope.payload) as { revision: number }).revision;
      this.received.set(rev, performance.now());
    }
    const bytes = signingBytes(envelope);
    const signature = Buffer.from(envelope.signature, "base64");
    let ok = false;
    for (const key of this.#keys) {
      if (await crypto.subtle.verify({ name: "Ed25519" }, key, signature, bytes)) {
        ok = true;
        break;
      }
    }
    if (!ok) {
      this.verifyFailures++;
      return;
    }
    const { revision } = JSON.parse(envelope.payload) as { revision: number };
    try {
      const res = await fetch(`${this.server}/v1/nodes/${this.node.id}/status`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${this.node.credential}`,
          "content-type": "application/json",
        },
        body: JSON.stringify({
          applied_revision: revision,
          ruleset_hash: null,
          peer_count: 0,
          mode: "enforce",
        }),
      });
      await res.arrayBuffer();
      if (res.status === 200) {
        this.acks.set(revision, performance.now());
        if (res.headers.get("x-tether-ack") === "batched") this.batchedAcks++;
      } else throw new Error(`status ${res.status}`);
    } catch (err) {
      if (attempt >= 5) throw err;
      this.retries++;
      await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      await this.#onPolicy(data, attempt + 1);
    }
  }

  stop(): void {
    this.#abort.abort();
  }
}
