import { describe, expect, it } from "vitest";
import { derive } from "./desired.ts";
import { FakeKernel } from "./fake-kernel.ts";
import { reconcile } from "./reconcile.ts";
import { KEYS, rule, sampleDesired } from "./sample-state.ts";

const rules = [rule("b", "a", { port: 5432, protocol: "tcp" }), rule("a", "group:web")];

/** A fake kernel that knows the table each desired state renders to. */
function kernel(...desired: ReturnType<typeof sampleDesired>[]) {
  const k = new FakeKernel(KEYS.a);
  for (const d of desired) {
    const { text, shape } = derive(d).ruleset;
    k.scripts.set(text, shape);
  }
  return k;
}

describe("reconcile", () => {
  it("builds a bare machine, then a second pass reads and writes nothing", async () => {
    const desired = sampleDesired(rules);
    const k = kernel(desired);
    const first = await reconcile(desired, k);
    expect(first).toMatchObject({
      applied: true,
      changed: true,
      errors: [],
      peerCount: 2,
      revision: 7,
      mode: "enforce",
    });
    expect(first.rulesetHash).toBe(derive(desired).ruleset.hash);
    expect(k.writes()).toEqual([
      "nft -f -",
      "ip link add tether0 type wireguard",
      "wg set tether0 private-key /var/lib/tether/private.key",
      "wg set tether0 listen-port 51820",
      "ip address add 10.100.0.1/16 dev tether0",
      "ip link set tether0 up",
      // consecutive peer steps share one `wg set` (10k peers are not 10k processes)
      `wg set tether0 peer ${KEYS.b} allowed-ips 10.100.0.2/32 endpoint 192.0.2.2:51820 persistent-keepalive off peer ${KEYS.c} allowed-ips 10.100.0.3/32 persistent-keepalive off`,
    ]);
    expect(first.steps.map((s) => s.step.kind)).toEqual([
      "applyRuleset",
      "createLink",
      "setPrivateKey",
      "setListenPort",
      "addAddress",
      "setLinkUp",
      "setPeer",
      "setPeer",
    ]);

    k.calls.length = 0;
    const second = await reconcile(desired, k);
    expect(second).toMatchObject({ applied: true, changed: false, steps: [], errors: [] });
    expect(k.writes()).toEqual([]);
    expect(k.calls.map((c) => `${c.file} ${c.args.join(" ")}`)).toEqual([
      "ip -j addr show dev tether0",
      "nft -j list table inet tether",
      "wg show tether0 dump",
    ]);
  });

  it("repairs a peer removed by hand and a table deleted by hand", async () => {
    const desired = sampleDesired(rules);
    const k = kernel(desired);
    await reconcile(desired, k);
    k.wg.peers.delete(KEYS.c);
    k.table = { exists: false, hash: null, chains: {}, sets: {} };
    k.calls.length = 0;
    const result = await reconcile(desired, k);
    expect(result.applied).toBe(true);
    expect(k.writes()).toEqual([
      "nft -f -",
      `wg set tether0 peer ${KEYS.c} allowed-ips 10.100.0.3/32 persistent-keepalive off`,
    ]);
  });

  it("on a policy change applies the table before touching peers, removing before adding", async () => {
    const before = sampleDesired(rules);
    const after = sampleDesired([rule("d", "a")]);
    const k = kernel(before, after);
    await reconcile(before, k);
    k.calls.length = 0;
    await reconcile(after, k);
    expect(k.writes()).toEqual([
      "nft -f -",
      `wg set tether0 peer ${KEYS.b} remove peer ${KEYS.c} remove peer ${KEYS.d} allowed-ips 10.100.0.4/32 persistent-keepalive off`,
    ]);
  });

  it("keeps the previous ruleset when nft fails, still removes revoked peers, does not add new ones", async () => {
    const before = sampleDesired(rules);
    const after = sampleDesired([rule("d", "a")]);
    const k = kernel(before); // the new script is "rejected" by the fake nft
    await reconcile(before, k);
    const previous = k.table;
    k.calls.length = 0;
    const result = await reconcile(after, k);
    expect(k.table).toBe(previous);
    expect(result.applied).toBe(false);
    expect(result.steps.map((s) => [s.step.kind, s.status])).toEqual([
      ["applyRuleset", "failed"],
      ["removePeer", "ok"],
      ["removePeer", "ok"],
      ["setPeer", "skipped"],
    ]);
    expect(result.errors).toEqual([
      expect.stringMatching(
        /^apply ruleset [0-9a-f]{12} \(hash .*\): nft -f - exited 1: Error: syntax error/,
      ),
      `set peer ${KEYS.d} (add): skipped, ruleset step failed`,
    ]);
    expect(result.rulesetHash).toBe(derive(after).ruleset.hash);
  });

  it("aggregates failures: one failed step does not stop independent ones", async () => {
    const desired = sampleDesired(rules);
    const k = kernel(desired);
    k.failing.set(`wg set tether0 peer ${KEYS.b}`, "Unable to modify interface: Invalid argument");
    const result = await reconcile(desired, k);
    expect(result.applied).toBe(false);
    expect(result.changed).toBe(true);
    // the batch failed, so its peers were retried one by one to name the failing one
    expect(result.steps.filter((s) => s.status !== "ok").map((s) => s.step.kind)).toEqual([
      "setPeer",
    ]);
    expect(k.wg.peers.has(KEYS.c)).toBe(true);
    expect(result.errors).toEqual([
      `set peer ${KEYS.b} (add): wg set tether0 peer ${KEYS.b} allowed-ips 10.100.0.2/32 endpoint 192.0.2.2:51820 persistent-keepalive off exited 1: Unable to modify interface: Invalid argument`,
    ]);
  });

  it("skips the interface's dependants when it cannot be created", async () => {
    const desired = sampleDesired(rules);
    const k = kernel(desired);
    k.failing.set("ip link add", "RTNETLINK answers: Operation not permitted");
    const result = await reconcile(desired, k);
    expect(result.steps.map((s) => s.status)).toEqual([
      "ok",
      "failed",
      "skipped",
      "skipped",
      "skipped",
      "skipped",
      "skipped",
      "skipped",
    ]);
    expect(k.writes()).toEqual(["nft -f -", "ip link add tether0 type wireguard"]);
  });

  it("reports what it could not read and does not guess", async () => {
    const desired = sampleDesired(rules);
    const k = kernel(desired);
    k.failing.set("ip -j addr", "Operation not permitted");
    const result = await reconcile(desired, k);
    expect(result.applied).toBe(false);
    expect(k.writes()).toEqual(["nft -f -"]);
    expect(result.errors[0]).toMatch(
      /^read link: ip -j addr show dev tether0 exited 1: Operation not permitted$/,
    );
  });
});
