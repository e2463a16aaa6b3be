/**
 * bench/agent: the edge agent's pure core at fleet scale.
 *
 * 1. filterPeers + buildFirewallRules for 10k peers × 10k rules, indexed,
 *    against the seed's O(peers × rules) algorithm in the same run
 *    (targets: ≥ 20× faster, ≤ 50 ms).
 * 2. (root) render + `nft -f -` apply of the resulting ~10k-peer ruleset in
 *    a throwaway network namespace (target ≤ 300 ms), read-back + drift check.
 * 3. (root, wireguard-go) a full reconcile in that namespace, then a no-op
 *    reconcile: it must issue zero nft/wg/ip writes.
 *
 *   npx tsx bench/agent/run.ts [--peers 10000] [--rules 10000] [--runs 20]
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { readRuleset } from "../../agent/src/nftables/nft.ts";
import { compileRuleset } from "../../agent/src/nftables/render.ts";
import { rulesetDrift } from "../../agent/src/nftables/shape.ts";
import { PolicyEngine, peersById } from "../../agent/src/policy/engine.ts";
import { reconcile } from "../../agent/src/reconcile/reconcile.ts";
import { createExecRunner } from "../../agent/src/sys/exec-runner.ts";
import { type Runner, runChecked } from "../../agent/src/sys/runner.ts";
import { ms, percentile, table } from "../stats.ts";
import { fleet } from "./fleet.ts";
import { naiveBuildFirewallRules, naiveFilterPeers } from "./naive.ts";

const { values } = parseArgs({
  options: {
    peers: { type: "string", default: "10000" },
    rules: { type: "string", default: "10000" },
    runs: { type: "string", default: "20" },
  },
});
const runs = Number(values.runs);
const state = fleet(Number(values.peers), Number(values.rules));
const rules = state.policies[0]!.rules;
const rows: Record<string, string | number>[] = [];

/** Wall and CPU milliseconds of `fn` over `n` runs after `warm` warm-up runs (the box may be shared). */
function measure<T>(
  n: number,
  warm: number,
  fn: () => T,
): { wall: number[]; cpu: number[]; last: T } {
  let last = fn();
  for (let i = 1; i < warm; i++) last = fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < n; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    last = fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wall, cpu, last };
}
const row = (what: string, m: { wall: number[]; cpu: number[] }, target = "") =>
  rows.push({
    what,
    runs: m.wall.length,
    "p50 wall": ms(percentile(m.wall, 50)),
    "p95 wall": ms(percentile(m.wall, 95)),
    "p50 cpu": ms(percentile(m.cpu, 50)),
    target,
  });

// 1. Engine vs the seed's algorithm.
const engine = new PolicyEngine();
const indexed = measure(runs, 5, () => {
  const visible = engine.filterPeers(state.peers, state.policies, state.node);
  return {
    visible,
    built: engine.buildFirewallRules(state.policies, state.node, "tether0", peersById(visible)),
  };
});
const local = { ...state.node };
const naive = measure(2, 1, () => {
  const visible = naiveFilterPeers(state.peers, rules, local);
  return { visible, built: naiveBuildFirewallRules(rules, local, visible) };
});
if (
  indexed.last.visible.length !== naive.last.visible.length ||
  indexed.last.built.rules.length !== naive.last.built.length
) {
  throw new Error(
    `results differ: indexed ${indexed.last.visible.length} peers / ${indexed.last.built.rules.length} rules, naive ${naive.last.visible.length} / ${naive.last.built.length}`,
  );
}
row(
  `filterPeers+buildFirewallRules indexed (${state.peers.length} peers × ${rules.length} rules)`,
  indexed,
  "≤ 50 ms",
);
row("same, seed algorithm O(peers × rules)", naive);
const speedup = percentile(naive.wall, 50) / percentile(indexed.wall, 50);
const speedupCpu = percentile(naive.cpu, 50) / percentile(indexed.cpu, 50);
console.error(
  `visible peers ${indexed.last.visible.length}, firewall rules ${indexed.last.built.rules.length}, sets ${indexed.last.built.sets.size}; speed-up ${speedup.toFixed(0)}× wall, ${speedupCpu.toFixed(0)}× cpu (target ≥ 20×)`,
);

const render = measure(runs, 3, () =>
  compileRuleset({ iface: "tether0", mode: "enforce", ...indexed.last.built }),
);
row(`render ruleset (${(render.last.text.length / 1024).toFixed(0)} KiB)`, render);

// 2 and 3 need root and a namespace.
if (process.getuid?.() !== 0) {
  console.error("skipping nft apply and reconcile: not root");
} else {
  const ns = `tether-bench-${process.pid}`;
  const host = createExecRunner();
  const inside = createExecRunner({ netns: ns });
  const dir = mkdtempSync(join(tmpdir(), "tether-bench-"));
  await runChecked(host, "ip", ["netns", "add", ns]);
  const iface = `tb${process.pid % 100000}`;
  try {
    const apply: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await runChecked(inside, "nft", ["-f", "-"], { stdin: render.last.text });
      apply.push(performance.now() - t0);
    }
    rows.push({
      what: "nft -f - apply (one transaction)",
      runs: 5,
      "p50 wall": ms(percentile(apply, 50)),
      "p95 wall": ms(percentile(apply, 95)),
      "p50 cpu": "(nft)",
      target: "≤ 300 ms",
    });
    const read: number[] = [];
    let drift: string[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      drift = rulesetDrift(render.last.shape, await readRuleset(inside));
      read.push(performance.now() - t0);
    }
    rows.push({
      what: "nft -j list + parse + drift check",
      runs: 5,
      "p50 wall": ms(percentile(read, 50)),
      "p95 wall": ms(percentile(read, 95)),
      "p50 cpu": "(nft)",
      target: drift.length === 0 ? "in sync" : `DRIFT ${drift[0]}`,
    });
    await reconcileInNamespace(host, inside, iface, dir);
  } finally {
    await inside.run("ip", ["link", "delete", iface]); // stops wireguard-go
    await host.run("ip", ["netns", "delete", ns]);
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(table(rows));

/** A full reconcile (wireguard-go, every visible peer), then a no-op one that must write nothing. */
async function reconcileInNamespace(host: Runner, inside: Runner, iface: string, dir: string) {
  if ((await host.run("wireguard-go", ["--version"])).code === 127) {
    console.error("skipping reconcile: wireguard-go is not installed");
    return;
  }
  const privateKey = (await runChecked(host, "wg", ["genkey"])).trim();
  const keyPath = join(dir, "private.key");
  writeFileSync(keyPath, `${privateKey}\n`, { mode: 0o600 });
  chmodSync(keyPath, 0o600);
  const publicKey = (await runChecked(host, "wg", ["pubkey"], { stdin: privateKey })).trim();
  const desired = { state, iface, listenPort: 51820, privateKeyPath: keyPath, publicKey };
  const writes: string[] = [];
  const recording: Runner = {
    run(file, args, options) {
      const line = `${file} ${args.join(" ")}`;
      if (!/^(ip -j addr show|wg show|nft -j list)/.test(line)) writes.push(line);
      return inside.run(file, args, options);
    },
  };
  for (const pass of ["first (bare namespace)", "no-op"]) {
    writes.length = 0;
    const t0 = performance.now();
    const result = await reconcile(desired, recording);
    const took = performance.now() - t0;
    rows.push({
      what: `reconcile, ${pass}: ${result.peerCount} peers`,
      runs: 1,
      "p50 wall": ms(took),
      "p95 wall": "",
      "p50 cpu": "",
      target: `${writes.length} writes${result.errors.length ? `, errors: ${result.errors[0]}` : ""}${pass === "no-op" ? " (want 0)" : ""}`,
    });
  }
  if (writes.length > 0) console.error(`no-op reconcile wrote: ${writes.slice(0, 3).join(" | ")}`);
}
