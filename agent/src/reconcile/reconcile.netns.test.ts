import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRuleset } from "../nftables/nft.ts";
import { createExecRunner } from "../sys/exec-runner.ts";
import { type Runner, runChecked } from "../sys/runner.ts";
import { parseWgDump } from "../wireguard/dump.ts";
import { readLink } from "../wireguard/link.ts";
import type { DesiredNode } from "./desired.ts";
import { reconcile } from "./reconcile.ts";
import { KEYS, rule, sampleState } from "./sample-state.ts";
import { teardown } from "./teardown.ts";

const found = (...paths: string[]) => paths.some((p) => existsSync(p));
const missing = [
  process.getuid?.() === 0 ? null : "not root",
  found("/usr/sbin/nft", "/sbin/nft") ? null : "nft is not installed",
  found("/usr/bin/wg", "/usr/sbin/wg") ? null : "wg is not installed",
  found("/usr/bin/wireguard-go", "/usr/local/bin/wireguard-go")
    ? null
    : "wireguard-go is not installed",
].filter((x) => x !== null);
if (missing.length > 0) console.warn(`skipping reconcile namespace tests: ${missing.join(", ")}`);

describe.skipIf(missing.length > 0)(
  "reconcile against nft and wireguard-go in a namespace (root)",
  () => {
    const ns = `tether-rec-${process.pid}`;
    // wireguard-go's control socket lives in the host's /var/run/wireguard: names must be host-unique.
    const iface = `tr${process.pid % 100000}`;
    const host = createExecRunner();
    const inside = createExecRunner({ netns: ns });
    const writes: string[] = [];
    const recording: Runner = {
      run(file, args, options) {
        const line = `${file} ${args.join(" ")}`;
        if (!/^(ip -j addr show|wg show|nft -j list)/.test(line)) writes.push(line);
        return inside.run(file, args, options);
      },
    };
    const dir = mkdtempSync(join(tmpdir(), "tether-rec-"));
    let desired: DesiredNode;

    beforeAll(async () => {
      await runChecked(host, "ip", ["netns", "add", ns]);
      const privateKey = (await runChecked(host, "wg", ["genkey"])).trim();
      const publicKey = (await runChecked(host, "wg", ["pubkey"], { stdin: privateKey })).trim();
      const privateKeyPath = join(dir, "private.key");
      writeFileSync(privateKeyPath, `${privateKey}\n`, { mode: 0o600 });
      desired = {
        state: sampleState([
          rule("b", "a", { port: 5432, protocol: "tcp" }),
          rule("a", "group:web"),
        ]),
        iface,
        listenPort: 51820,
        privateKeyPath,
        publicKey,
      };
    });
    afterAll(async () => {
      await inside.run("ip", ["link", "delete", iface]);
      await host.run("ip", ["netns", "delete", ns]);
      rmSync(dir, { recursive: true, force: true });
    });

    const wgPeers = async () =>
      parseWgDump(await runChecked(inside, "wg", ["show", iface, "dump"]))
        .peers.map((p) => p.publicKey)
        .sort();

    it("configures the interface, the peers and the table, then a second pass writes nothing", async () => {
      const first = await reconcile(desired, recording);
      expect(first.errors).toEqual([]);
      expect(first.applied).toBe(true);
      expect(await wgPeers()).toEqual([KEYS.b, KEYS.c].sort());
      expect(await readLink(inside, iface)).toEqual({ up: true, addresses: ["10.100.0.1/16"] });
      expect((await readRuleset(inside)).hash).toBe(first.rulesetHash);

      writes.length = 0;
      const second = await reconcile(desired, recording);
      expect(second).toMatchObject({ applied: true, changed: false, steps: [] });
      expect(writes).toEqual([]);
    });

    it("repairs a peer and a rule deleted by hand", async () => {
      await runChecked(inside, "wg", ["set", iface, "peer", KEYS.c, "remove"]);
      const listed = JSON.parse(
        await runChecked(inside, "nft", ["-j", "list", "chain", "inet", "tether", "mesh"]),
      ) as {
        nftables: { rule?: { handle: number; comment?: string } }[];
      };
      const handle = listed.nftables.find((o) => o.rule?.comment === "p1#0")?.rule?.handle;
      await runChecked(inside, "nft", [
        "delete",
        "rule",
        "inet",
        "tether",
        "mesh",
        "handle",
        String(handle),
      ]);

      writes.length = 0;
      const result = await reconcile(desired, recording);
      expect(result.applied).toBe(true);
      expect(writes.map((w) => w.split(" ").slice(0, 3).join(" "))).toEqual([
        "nft -f -",
        `wg set ${iface}`,
      ]);
      expect(await wgPeers()).toEqual([KEYS.b, KEYS.c].sort());
      writes.length = 0;
      await reconcile(desired, recording);
      expect(writes).toEqual([]);
    });

    it("follows a policy change: table first, revoked peers removed", async () => {
      desired = {
        ...desired,
        state: {
          ...desired.state,
          revision: 8,
          policies: [{ ...desired.state.policies[0]!, rules: [rule("d", "a")] }],
        },
      };
      writes.length = 0;
      const result = await reconcile(desired, recording);
      expect(result.applied).toBe(true);
      expect(writes[0]).toBe("nft -f -");
      expect(await wgPeers()).toEqual([KEYS.d]);
      expect((await readRuleset(inside)).hash).toBe(result.rulesetHash);
    });

    it("tears down: interface and table gone", async () => {
      await teardown(inside, { iface });
      expect(await readLink(inside, iface)).toBeNull();
      expect((await readRuleset(inside)).exists).toBe(false);
      await teardown(inside, { iface }); // idempotent
    });
  },
);
