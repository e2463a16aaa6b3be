/**
 * Rego engine benchmark: `npx tsx bench/rego/run.ts [events] [rounds] [--no-codegen]`.
 * Evaluates policy.rego's decision per telemetry event, checks it against
 * the hand-written JS policy, and prints p50/p99 latency, throughput and the
 * ratio to the JS baseline measured in the same run. `--no-codegen` measures
 * the engine as it runs in workerd, which refuses code generation (compiled
 * with `codegen: false`); a run of its own, since two engines in one process
 * share the interpreter's code and so its type feedback.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { compile, toJSON } from "../../rego/src/index.ts";
import { makeEvents } from "./events.ts";
import { decide } from "./handwritten.ts";

const args = process.argv.slice(2).filter((a) => a !== "--no-codegen");
const codegen = !process.argv.includes("--no-codegen");
const N = Number(args[0] ?? 100_000);
const ROUNDS = Number(args[1] ?? 7);
const source = readFileSync(fileURLToPath(new URL("./policy.rego", import.meta.url)), "utf8");
const engine = compile({ "policy.rego": source }, { codegen });
const events = makeEvents(N);
const path = "data.tether.governance.decision";
const nowNs = 0n;

// Same decisions from both implementations (sets come out sorted, as the JS sorts).
for (const e of events.slice(0, 2000)) {
  const want = decide(e);
  const got = toJSON(engine.evalPath(path, { input: e, nowNs }).value!) as unknown;
  if (
    JSON.stringify(got) !==
    JSON.stringify({ allow: want.allow, severity: want.severity, violations: want.violations })
  ) {
    throw new Error(
      `mismatch for ${JSON.stringify(e)}:\n rego ${JSON.stringify(got)}\n js   ${JSON.stringify(want)}`,
    );
  }
}

function percentile(xs: Float64Array, p: number): number {
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}

/** Per-decision latency of `fn`, sampled one call at a time (after a warm-up). */
function latency(fn: (i: number) => unknown) {
  for (let i = 0; i < Math.min(N, 20_000); i++) fn(i); // warm up
  const lat = new Float64Array(Math.min(N, 20_000));
  for (let i = 0; i < lat.length; i++) {
    const t = performance.now();
    fn(i);
    lat[i] = (performance.now() - t) * 1000;
  }
  return { p50: percentile(lat, 0.5), p99: percentile(lat, 0.99) };
}

/** Shortest pass: a 40 ms pass of the JS is at the mercy of one scheduler hiccup. */
const MIN_PASS_SECONDS = 0.3;

/**
 * One pass: the whole N-event loop, repeated until it has run for
 * MIN_PASS_SECONDS; wall and CPU rate per decision, and the best chunk.
 */
function pass(fn: (i: number) => unknown) {
  // the best chunk shows the rate without interference from other processes
  const chunk = Math.max(1, Math.floor(N / 10));
  let best = 0;
  let decisions = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  do {
    for (let start = 0; start < N; start += chunk) {
      const c0 = performance.now();
      const end = Math.min(N, start + chunk);
      for (let i = start; i < end; i++) fn(i);
      best = Math.max(best, (end - start) / ((performance.now() - c0) / 1000));
    }
    decisions += N;
  } while (performance.now() - t0 < MIN_PASS_SECONDS * 1000);
  const secs = (performance.now() - t0) / 1000;
  // CPU time of this process: on a shared machine wall time includes time spent descheduled
  const cpu = process.cpuUsage(cpu0);
  return {
    perSec: decisions / secs,
    perCpuSec: decisions / ((cpu.user + cpu.system) / 1e6),
    best,
    secs,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const impls = {
  rego: {
    label: codegen ? "rego engine" : "rego, no codegen",
    fn: (i: number) => engine.evalPath(path, { input: events[i]!, nowNs }),
  },
  js: { label: "hand-written JS", fn: (i: number) => decide(events[i]!) },
};
type Impl = keyof typeof impls;
const order: Impl[] = ["rego", "js"];
const lat = Object.fromEntries(order.map((k) => [k, latency(impls[k].fn)])) as Record<
  Impl,
  ReturnType<typeof latency>
>;

// Rounds alternate the implementations (and which goes first), so all see
// the same machine: on a shared machine one pass can land in a busy spell.
const passes: Record<Impl, ReturnType<typeof pass>[]> = { rego: [], js: [] };
for (let r = 0; r < ROUNDS; r++) {
  const turn = r % 2 === 0 ? order : [...order].reverse();
  for (const k of turn) passes[k].push(pass(impls[k].fn));
}
const summary = (key: Impl) => ({
  label: impls[key].label,
  ...lat[key],
  perSec: median(passes[key].map((p) => p.perSec)),
  perCpuSec: median(passes[key].map((p) => p.perCpuSec)),
  best: Math.max(...passes[key].map((p) => p.best)),
  secs: median(passes[key].map((p) => p.secs)),
});
const rows = order.map(summary);
const js = summary("js");
console.log(
  `policy: ${source.split("\n").filter((l) => /^\S.* (if|:=|contains)\b/.test(l)).length} rules, ${N} events, ${ROUNDS} alternating rounds (rates: median of rounds)`,
);
console.log(
  "implementation      p50 (µs)   p99 (µs)   decisions/s (wall)   per CPU-s   best chunk/s   pass (s)",
);
for (const r of rows) {
  const rate = (x: number) => Math.round(x).toString();
  console.log(
    `${r.label.padEnd(18)}  ${r.p50.toFixed(2).padStart(8)}   ${r.p99.toFixed(2).padStart(8)}   ${rate(r.perSec).padStart(18)}   ${rate(r.perCpuSec).padStart(9)}   ${rate(r.best).padStart(12)}   ${r.secs.toFixed(2).padStart(8)}`,
  );
}
const rego = summary("rego");
const perRound = passes.rego.map((p, i) => passes.js[i]!.perCpuSec / p.perCpuSec);
console.log(
  `ratio rego/js: throughput ${(js.perSec / rego.perSec).toFixed(1)} (wall), ${(js.perCpuSec / rego.perCpuSec).toFixed(1)} (CPU), p50 ${(rego.p50 / js.p50).toFixed(1)}; CPU ratio per round ${perRound.map((x) => x.toFixed(1)).join(" ")}`,
);
