import { env } from "cloudflare:test";
import { signingBytes } from "@tether/schema/wire";
import { describe, expect, it } from "vitest";
import { api, newOrg, testDatabase } from "../../test/fixtures.ts";
import { auditOf, eventsOf, insertNodes, orgCounters } from "../../test/mesh-fixtures.ts";
import { fromBase64 } from "../services/base64.ts";
import { hubClient } from "../services/hub-client.ts";
import { trustedKeys } from "../services/signing.ts";

async function trustedAt(orgId: string, at: Date) {
  const { db, close } = testDatabase();
  try {
    return await trustedKeys(db, orgId, at);
  } finally {
    await close();
  }
}

async function verifies(publicKey: string, envelope: Record<string, unknown>): Promise<boolean> {
  const key = await crypto.subtle.importKey("raw", fromBase64(publicKey), "Ed25519", false, [
    "verify",
  ]);
  const { signature, key_id: _keyId, ...unsigned } = envelope;
  return crypto.subtle.verify(
    "Ed25519",
    key,
    fromBase64(signature as string),
    signingBytes(unsigned as Parameters<typeof signingBytes>[0]),
  );
}

describe("/api/signing-keys", () => {
  it("rotates: the old key stays trusted until retires_at, then drops out; one audit row, one event to every node", async () => {
    const org = await newOrg();
    await insertNodes(org.orgId, [{}, {}]);
    expect((await api("GET", "/api/signing-keys", { key: org.readKey })).body.keys).toEqual([]);

    const first = await api("POST", "/api/signing-keys/rotate", { key: org.adminKey });
    expect(first.status).toBe(200);
    expect(first.body.revision).toBe(1);
    const auditBase = (await auditOf(org.orgId)).length;
    const started = Date.now();
    const second = await api("POST", "/api/signing-keys/rotate", {
      key: org.adminKey,
      body: { transition_seconds: 3600 },
    });
    expect(second.status).toBe(200);
    expect(second.body.revision).toBe(2);
    type Key = { key_id: string; status: string; retires_at: string | null };
    const keys = second.body.keys as Key[];
    expect(keys).toHaveLength(3);
    const k3 = keys[0]!;
    const k2 = keys.find((k) => k.key_id === first.body.active_key_id)!;
    const k1 = keys.find((k) => k !== k3 && k !== k2)!;
    expect(second.body.active_key_id).toBe(k3.key_id);
    expect(k3).toMatchObject({ status: "active", retires_at: null });
    expect(k2).toMatchObject({ status: "previous", key_id: first.body.active_key_id });
    const retires = Date.parse(k2.retires_at!);
    expect(retires - started).toBeGreaterThan(3_595_000);
    expect(retires - started).toBeLessThan(3_605_000);
    // The first rotation gave k1 the default 24 h window.
    expect(k1.status).toBe("previous");
    expect(JSON.stringify(second.body)).not.toMatch(/private/i);

    const listed = await api("GET", "/api/signing-keys", { key: org.readKey });
    expect(listed.body.keys).toEqual(second.body.keys);

    const now = await trustedAt(org.orgId, new Date());
    const ids = (list: { key_id: string }[]) => list.map((k) => k.key_id).sort();
    expect(ids(now)).toEqual(ids([k3, k2, k1]));
    const later = await trustedAt(org.orgId, new Date(retires + 1000));
    expect(ids(later)).toEqual(ids([k3, k1]));
    const muchLater = await trustedAt(org.orgId, new Date(started + 2 * 86_400_000));
    expect(muchLater.map((k) => k.key_id)).toEqual([k3.key_id]);

    const events = await eventsOf(org.orgId);
    expect(events.map((e) => [e.type, e.nodeIds, e.revision])).toEqual([
      ["signing_key_rotated", null, 1],
      ["signing_key_rotated", null, 2],
    ]);
    const sent = (events[1]!.payload.keys as Key[]).map((k) => `${k.key_id}:${k.status}`).sort();
    expect(sent).toEqual(
      [`${k3.key_id}:active`, `${k2.key_id}:previous`, `${k1.key_id}:previous`].sort(),
    );
    const nodes = await api("GET", "/api/nodes", { key: org.readKey });
    expect(
      nodes.body.nodes.map(
        (n: { status: { desired_revision: number } }) => n.status.desired_revision,
      ),
    ).toEqual([2, 2]);

    const audit = (await auditOf(org.orgId)).slice(auditBase);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: "signing_key.rotate",
      targetId: k3.key_id,
      before: { active_key_id: k2.key_id },
      after: { active_key_id: k3.key_id, previous_key_id: k2.key_id },
    });
  });

  it("signs the rotation event with the old key, which agents already trust", async () => {
    const org = await newOrg();
    const old = (await api("POST", "/api/signing-keys/rotate", { key: org.adminKey })).body;
    const oldKey = old.keys.find((k: { key_id: string }) => k.key_id === old.active_key_id);

    const socket = await hubClient(env as never).connect(
      org.orgId,
      crypto.randomUUID(),
      "test-credential-hash",
    );
    const frame = new Promise<string>((resolve) =>
      socket.addEventListener("message", (m) => resolve(String(m.data))),
    );
    const rotated = await api("POST", "/api/signing-keys/rotate", {
      key: org.adminKey,
      body: { transition_seconds: 0 },
    });
    const data = (await frame)
      .split("\n")
      .find((l) => l.startsWith("data: "))!
      .slice(6);
    socket.close();
    const envelope = JSON.parse(data);
    expect(envelope.event_type).toBe("signing_key_rotated");
    expect(envelope.key_id).toBe(old.active_key_id);
    expect(await verifies(oldKey.public_key, envelope)).toBe(true);
    const newKey = rotated.body.keys[0];
    expect(newKey.key_id).toBe(rotated.body.active_key_id);
    expect(await verifies(newKey.public_key, envelope)).toBe(false);
    // With no transition window the old key is shown retired and no longer sent as trusted.
    const demoted = rotated.body.keys.find(
      (k: { key_id: string }) => k.key_id === old.active_key_id,
    );
    expect(demoted.status).toBe("retired");
    const payload = JSON.parse(envelope.payload);
    const sent = payload.keys.map((k: { key_id: string }) => k.key_id);
    expect(sent).toContain(newKey.key_id);
    expect(sent).not.toContain(old.active_key_id);
  });

  it("validates transition_seconds and writes nothing on error", async () => {
    const org = await newOrg();
    for (const body of [
      { transition_seconds: -1 },
      { transition_seconds: 31 * 86_400 },
      { x: 1 },
    ]) {
      const res = await api("POST", "/api/signing-keys/rotate", { key: org.adminKey, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.details[0].path).toMatch(/^body\./);
    }
    expect(await orgCounters(org.orgId)).toEqual({ revision: 0, eventSeq: 0 });
    const forbidden = await api("POST", "/api/signing-keys/rotate", { key: org.readKey });
    expect(forbidden.status).toBe(403);
  });
});
