import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { newTestSigner, type TestSigner } from "./test-signer.ts";
import { EnvelopeVerifier } from "./verifier.ts";

let dataDir: string;
let signer: TestSigner;
let now: Date;
const clock = () => now;

async function verifier(): Promise<EnvelopeVerifier> {
  const v = new EnvelopeVerifier({ dataDir, now: clock });
  await v.setKeys([signer.info()]);
  return v;
}

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "tether-verify-"));
  signer = await newTestSigner();
  now = new Date("2026-11-22T10:00:00Z");
});

const payload = { revision: 3, peer_id: "p1" };

describe("NonceStore", () => {
  it("forgets nonces older than the window and keeps at most max", async () => {
    const { NonceStore } = await import("./nonce-store.ts");
    const store = new NonceStore(dataDir, 1000, 3);
    store.record("old", 0, 1, 0);
    store.record("n1", 5000, 2, 5000);
    expect(store.has("old")).toBe(false);
    for (const n of ["n2", "n3", "n4"]) store.record(n, 5000, 3, 5000);
    expect(store.size).toBe(3);
    expect(store.has("n1")).toBe(false);
    expect(new NonceStore(dataDir, 1000, 3).has("n4")).toBe(true);
  });

  it("survives a restart across journal compactions, seq resets included", async () => {
    const { NonceStore, COMPACT_EVERY } = await import("./nonce-store.ts");
    const store = new NonceStore(dataDir, 60_000);
    for (let i = 0; i < COMPACT_EVERY + 10; i++) store.record(`n${i}`, 1000, i, 1000);
    store.resetSeq(7);
    const again = new NonceStore(dataDir, 60_000);
    expect(again.has("n0")).toBe(true);
    expect(again.has(`n${COMPACT_EVERY + 9}`)).toBe(true);
    expect(again.lastSeq).toBe(7);
    expect(again.size).toBe(COMPACT_EVERY + 10);
  });
});

describe("EnvelopeVerifier", () => {
  it("accepts a signed, fresh envelope and parses its payload after verifying", async () => {
    const v = await verifier();
    const e = await signer.seal({ type: "peer_removed", seq: 5, payload, issuedAt: now });
    const r = await v.verify(JSON.stringify(e));
    expect(r).toMatchObject({ ok: true, payload });
    expect(v.lastSeq).toBe(5);
  });

  it("rejects a forged signature and a tampered payload", async () => {
    const v = await verifier();
    const other = await newTestSigner();
    const forged = await other.seal({ type: "peer_removed", seq: 5, payload, issuedAt: now });
    expect(await v.verify(JSON.stringify(forged))).toMatchObject({ ok: false, reason: "forged" });
    const good = await signer.seal({ type: "peer_removed", seq: 6, payload, issuedAt: now });
    const tampered = { ...good, payload: JSON.stringify({ ...payload, peer_id: "p2" }) };
    expect(await v.verify(JSON.stringify(tampered))).toMatchObject({ ok: false, reason: "forged" });
    const retyped = { ...good, event_type: "peer_added" };
    expect(await v.verify(JSON.stringify(retyped))).toMatchObject({ ok: false, reason: "forged" });
    expect(v.lastSeq).toBe(-1);
  });

  it("rejects a payload that is not JSON only after the signature holds", async () => {
    const v = await verifier();
    const e = await signer.seal({ type: "peer_removed", seq: 5, payload: "x", issuedAt: now });
    const broken = { ...e, payload: "{not json" };
    expect(await v.verify(JSON.stringify(broken))).toMatchObject({ reason: "forged" });
    expect(await v.verify("{")).toMatchObject({ reason: "malformed" });
    expect(await v.verify(JSON.stringify({ event_type: "peer_removed" }))).toMatchObject({
      reason: "malformed",
    });
  });

  it("rejects stale and far-future envelopes, allows small skew", async () => {
    const v = await verifier();
    const old = await signer.seal({
      type: "peer_removed",
      seq: 5,
      payload,
      issuedAt: new Date(now.getTime() - 5 * 60_000 - 1),
    });
    expect(await v.verify(JSON.stringify(old))).toMatchObject({ ok: false, reason: "stale" });
    const future = await signer.seal({
      type: "peer_removed",
      seq: 5,
      payload,
      issuedAt: new Date(now.getTime() + 120_000),
    });
    expect(await v.verify(JSON.stringify(future))).toMatchObject({ ok: false, reason: "stale" });
    const skewed = await signer.seal({
      type: "peer_removed",
      seq: 5,
      payload,
      issuedAt: new Date(now.getTime() + 10_000),
    });
    expect(await v.verify(JSON.stringify(skewed))).toMatchObject({ ok: true });
  });

  it("rejects a replayed nonce, also after a restart", async () => {
    const v = await verifier();
    const e = await signer.seal({
      type: "snapshot_required",
      seq: 5,
      payload: { revision: 0 },
      issuedAt: now,
    });
    expect((await v.verify(JSON.stringify(e))).ok).toBe(true);
    expect(await v.verify(JSON.stringify(e))).toMatchObject({ ok: false, reason: "replayed" });
    const restarted = await verifier();
    expect(await restarted.verify(JSON.stringify(e))).toMatchObject({
      ok: false,
      reason: "replayed",
    });
  });

  it("ignores an envelope whose seq is not after the last applied, except snapshot_required", async () => {
    const v = await verifier();
    await v.verify(
      JSON.stringify(await signer.seal({ type: "peer_removed", seq: 10, payload, issuedAt: now })),
    );
    const older = await signer.seal({ type: "peer_removed", seq: 10, payload, issuedAt: now });
    expect(await v.verify(JSON.stringify(older))).toMatchObject({ ok: false, reason: "old_seq" });
    const snap = await signer.seal({
      type: "snapshot_required",
      seq: 3,
      payload: { revision: 0 },
      issuedAt: now,
    });
    expect((await v.verify(JSON.stringify(snap))).ok).toBe(true);
    expect(v.lastSeq).toBe(10);
    const restarted = await verifier();
    expect(restarted.lastSeq).toBe(10);
  });

  it("trusts a previous key until retires_at, and a state resets the sequence", async () => {
    const next = await newTestSigner();
    const v = new EnvelopeVerifier({ dataDir, now: clock });
    const retires = new Date(now.getTime() + 60_000).toISOString();
    await v.resetFromState({
      seq: 4,
      signing_keys: [next.info(), signer.info("previous", retires)],
    });
    expect(v.lastSeq).toBe(4);
    const byOld = await signer.seal({ type: "peer_removed", seq: 5, payload, issuedAt: now });
    expect((await v.verify(JSON.stringify(byOld))).ok).toBe(true);
    const byNew = await next.seal({ type: "peer_removed", seq: 6, payload, issuedAt: now });
    expect((await v.verify(JSON.stringify(byNew))).ok).toBe(true);
    now = new Date(now.getTime() + 61_000);
    expect(v.trustedKeyIds()).toEqual([next.info().key_id]);
    const late = await signer.seal({ type: "peer_removed", seq: 7, payload, issuedAt: now });
    expect(await v.verify(JSON.stringify(late))).toMatchObject({ ok: false, reason: "forged" });
  });

  it("refuses everything without a trusted key", async () => {
    const v = new EnvelopeVerifier({ dataDir, now: clock });
    const e = await signer.seal({ type: "peer_removed", seq: 5, payload, issuedAt: now });
    expect(await v.verify(JSON.stringify(e))).toMatchObject({ ok: false, reason: "untrusted" });
  });
});
