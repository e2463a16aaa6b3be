import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NodeState } from "@tether/schema/wire";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../config/load.ts";
import { memoryLogger } from "../log.ts";
import { readStatus } from "../state/status-file.ts";
import { NODE_ID, PEER_B, sampleState } from "../state/test-state.ts";
import { newTestSigner } from "../verify/test-signer.ts";
import { httpControlPlane } from "./api.ts";
import { Daemon } from "./daemon.ts";
import type { Enforcement, ReconcileOutcome } from "./ports.ts";
import { type FakeControlPlane, startFakeControlPlane } from "./test-control-plane.ts";

class FakeEnforcement implements Enforcement {
  applied: NodeState[] = [];
  fail = false;
  torn = 0;
  delayMs = 0;
  active = 0;
  maxActive = 0;
  async reconcile(desired: NodeState): Promise<ReconcileOutcome> {
    this.applied.push(structuredClone(desired));
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    await new Promise((r) => setTimeout(r, this.delayMs));
    this.active--;
    if (this.fail)
      return { applied: false, steps: 1, errors: ["nft: boom"], rulesetHash: null, peerCount: 0 };
    return {
      applied: true,
      steps: 2,
      errors: [],
      rulesetHash: `h${desired.revision}`,
      peerCount: desired.peers.length,
    };
  }
  async teardown(): Promise<string[]> {
    this.torn++;
    return [];
  }
}

let cp: FakeControlPlane | undefined;
let daemon: Daemon | undefined;
afterEach(async () => {
  await daemon?.stop();
  await cp?.close();
  daemon = cp = undefined;
});

async function until(cond: () => boolean, ms = 4000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 10));
  }
}

function makeDaemon(
  url: string,
  dataDir: string,
  enforcement: Enforcement,
  over: Record<string, unknown> = {},
) {
  const log = memoryLogger();
  const config = loadConfig({ flags: { data_dir: dataDir, ...over } as Record<string, string> });
  const api = httpControlPlane({ server: url, nodeId: NODE_ID, credential: "tk_node_secret" });
  const d = new Daemon({
    config,
    nodeId: NODE_ID,
    api,
    enforcement,
    log,
    timing: { retryBaseMs: 20, retryCapMs: 100, streamBackoffBaseMs: 20 },
  });
  return { d, log };
}

const peerB = { ...sampleState().peers[0]!, id: PEER_B, name: "b", mesh_ip: "10.100.0.11" };

describe("Daemon", () => {
  it("fetches, reconciles, acks, then applies verified events and ignores forged ones", async () => {
    cp = await startFakeControlPlane(sampleState({ revision: 3, seq: 10 }));
    const dir = mkdtempSync(join(tmpdir(), "tether-daemon-"));
    const enf = new FakeEnforcement();
    const { d, log } = makeDaemon(cp.url, dir, enf);
    daemon = d;
    await d.start();
    await until(() => cp!.statuses.length === 1 && cp!.streams === 1);
    expect(cp.statuses[0]).toMatchObject({
      applied_revision: 3,
      ruleset_hash: "h3",
      peer_count: 1,
      mode: "enforce",
    });

    await cp.push("peer_added", { revision: 4, peer: peerB });
    await until(() => cp!.statuses.some((s) => s.applied_revision === 4));
    expect(enf.applied.at(-1)!.peers.map((p) => p.id)).toContain(PEER_B);

    const forged = await newTestSigner();
    const bad = await forged.seal({
      type: "peer_removed",
      seq: 99,
      payload: { revision: 9, peer_id: PEER_B },
    });
    await cp.push("peer_removed", {}, JSON.stringify(bad));
    await cp.push("ping", {}, '{"id":"x"}');
    await until(() => log.lines.some((l) => l.msg === "event rejected; nothing changed"));
    await d.settled();
    expect(d.state!.peers.map((p) => p.id)).toContain(PEER_B);
    expect(d.state!.revision).toBe(4);

    const status = readStatus(dir)!;
    expect(status).toMatchObject({
      revision: 4,
      mode: "enforce",
      source: "control-plane",
      connected: true,
      transport: "sse", // the fake control plane refuses the upgrade
    });
    expect(JSON.stringify(log.lines)).not.toContain("tk_node_secret");
  });

  it("answers the Hub's ping (over HTTP on the SSE transport) and nothing else", async () => {
    cp = await startFakeControlPlane(sampleState({ revision: 3, seq: 10 }));
    const dir = mkdtempSync(join(tmpdir(), "tether-daemon-"));
    const { d } = makeDaemon(cp.url, dir, new FakeEnforcement());
    daemon = d;
    await d.start();
    await until(() => cp!.streams === 1 && cp!.statuses.length === 1);
    const pingId = crypto.randomUUID();
    await cp.push("ping", {}, '{"id":"not-a-uuid"}');
    await cp.push("ping", {}, JSON.stringify({ id: pingId, sent_at: Date.now() }));
    await until(() => cp!.pongs.length === 1);
    expect(cp.pongs).toEqual([pingId]);
    expect(d.state!.revision).toBe(3);
  });

  it("resumes after a drop with Last-Event-ID and reconciles after reconnecting", async () => {
    cp = await startFakeControlPlane(sampleState({ revision: 3, seq: 10 }));
    const dir = mkdtempSync(join(tmpdir(), "tether-daemon-"));
    const enf = new FakeEnforcement();
    daemon = makeDaemon(cp.url, dir, enf).d;
    await daemon.start();
    await until(() => cp!.streams === 1);
    await cp.push("peer_added", { revision: 4, peer: peerB });
    await until(() => daemon!.state!.seq === 11);
    await daemon.settled();
    const runs = enf.applied.length;
    cp.dropStreams();
    await until(() => cp!.streams === 2);
    expect(cp.lastEventIds).toEqual(["10", "11"]);
    await until(() => enf.applied.length > runs);
  });

  it("follows a verified key rotation and refetches on snapshot_required", async () => {
    cp = await startFakeControlPlane(sampleState({ revision: 3, seq: 10 }));
    const enf = new FakeEnforcement();
    const { d, log } = makeDaemon(cp.url, mkdtempSync(join(tmpdir(), "tether-daemon-")), enf);
    daemon = d;
    await d.start();
    await until(() => cp!.streams === 1);
    const next = await newTestSigner();
    const retires = new Date(Date.now() + 60_000).toISOString();
    // Signed by the old key, as the control plane does.
    await cp.push("signing_key_rotated", {
      revision: 4,
      keys: [next.info(), cp.signer.info("previous", retires)],
    });
    await until(() => d.state!.signing_keys.length === 2);
    cp.signer = next;
    await cp.push("peer_added", { revision: 5, peer: peerB });
    await until(() => d.state!.peers.some((p) => p.id === PEER_B));
    // A key nobody announced is still refused.
    cp.signer = await newTestSigner();
    await cp.push("peer_removed", { revision: 6, peer_id: PEER_B });
    await until(() => log.lines.some((l) => l.reason === "forged"));
    expect(d.state!.peers.some((p) => p.id === PEER_B)).toBe(true);

    cp.signer = next;
    cp.state.signing_keys = [next.info()];
    cp.state.peers = [];
    const fetches = cp.stateFetches;
    await cp.push("snapshot_required", { revision: 0, reason: "resume point no longer kept" });
    await until(() => cp!.stateFetches > fetches && d.state!.peers.length === 0);
    await d.settled();
    expect(enf.applied.at(-1)!.peers).toEqual([]);
  });

  it("coalesces a burst of events into a few reconciles", async () => {
    cp = await startFakeControlPlane(sampleState({ revision: 3, seq: 10 }));
    const enf = new FakeEnforcement();
    daemon = makeDaemon(cp.url, mkdtempSync(join(tmpdir(), "tether-daemon-")), enf).d;
    await daemon.start();
    await until(() => cp!.streams === 1);
    await daemon.settled();
    const before = enf.applied.length;
    enf.delayMs = 20; // a real reconcile reads and writes the kernel
    for (let i = 0; i < 200; i++) {
      const id = `00000000-0000-4000-8000-${String(1000 + i).padStart(12, "0")}`;
      await cp.push("peer_added", {
        revision: 4 + i,
        peer: { ...peerB, id, mesh_ip: `10.100.1.${i}` },
      });
    }
    await until(() => daemon!.state!.peers.length === 201, 10_000);
    await daemon.settled();
    expect(enf.applied.at(-1)!.peers).toHaveLength(201);
    expect(enf.applied.length - before).toBeLessThan(50);
    expect(enf.maxActive).toBe(1);
  });

  it("retries a failed reconcile and reports the errors", async () => {
    cp = await startFakeControlPlane(sampleState());
    const enf = new FakeEnforcement();
    enf.fail = true;
    daemon = makeDaemon(cp.url, mkdtempSync(join(tmpdir(), "tether-daemon-")), enf).d;
    await daemon.start();
    await until(() => enf.applied.length >= 3);
    expect(cp.statuses[0]!.errors).toEqual(["nft: boom"]);
    enf.fail = false;
    await until(() => cp!.statuses.some((s) => s.errors.length === 0));
  });

  it("enforces the cache when the control plane is down, and resyncs when it returns", async () => {
    cp = await startFakeControlPlane(sampleState({ revision: 5, seq: 20 }));
    const dir = mkdtempSync(join(tmpdir(), "tether-daemon-"));
    const first = makeDaemon(cp.url, dir, new FakeEnforcement()).d;
    await first.start();
    await first.settled();
    await first.stop();
    const url = cp.url;
    await cp.close();
    cp = undefined;

    const enf = new FakeEnforcement();
    const { d, log } = makeDaemon(url, dir, enf);
    daemon = d;
    await d.start();
    await until(() => enf.applied.length === 1);
    expect(enf.applied[0]!.revision).toBe(5);
    expect(
      log.lines.some((l) => l.msg === "control plane unreachable: enforcing the cached state"),
    ).toBe(true);
    await d.settled();
    expect(readStatus(dir)).toMatchObject({ source: "cache", connected: false, revision: 5 });
  });

  it("stops with a clear log when the credential is refused, keeping the ruleset by default", async () => {
    cp = await startFakeControlPlane(sampleState());
    const enf = new FakeEnforcement();
    const { d, log } = makeDaemon(cp.url, mkdtempSync(join(tmpdir(), "tether-daemon-")), enf);
    daemon = d;
    await d.start();
    await until(() => cp!.streams === 1);
    cp.refuse = 401;
    cp.dropStreams();
    expect(await d.done).toBe("credential refused");
    expect(
      log.lines.some((l) => l.level === "error" && /no longer knows/.test(String(l.msg))),
    ).toBe(true);
    expect(enf.torn).toBe(0);
  });

  it("tears down on stop when configured", async () => {
    cp = await startFakeControlPlane(sampleState());
    const enf = new FakeEnforcement();
    daemon = makeDaemon(cp.url, mkdtempSync(join(tmpdir(), "tether-daemon-")), enf, {
      teardown_on_exit: "true",
    }).d;
    await daemon.start();
    await daemon.stop();
    expect(enf.torn).toBe(1);
  });
});
