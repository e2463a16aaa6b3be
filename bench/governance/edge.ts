/**
 * bench/governance/edge: the agent's local OPA endpoint (what a sandbox
 * enforcer calls) beside the same decision in process, in one run:
 * - `POST /v1/data/{path}` over the unix socket, one request at a time with
 *   a keep-alive connection: latency p50/p99, each decision logged to the
 *   disk spool as in production (nothing ships: no control plane);
 * - the same over 127.0.0.1 TCP;
 * - the same decisions in process (`decide`: evaluation + log entry), and
 *   `evalPath` alone;
 * - throughput over the socket with `--concurrency` requests in flight.
 *
 *   npx tsx bench/governance/edge.ts [--requests 5000] [--concurrency 8]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { decide } from "../../agent/src/governance/decide.ts";
import { EdgeGovernance } from "../../agent/src/governance/edge.ts";
import { PolicySet } from "../../agent/src/governance/policy-set.ts";
import { createLogger } from "../../agent/src/log.ts";
import { sampleState } from "../../agent/src/state/test-state.ts";
import { compile } from "../../rego/src/index.ts";
import { percentile, table } from "../stats.ts";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "5000" },
    concurrency: { type: "string", default: "8" },
  },
});
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);

const SOURCE = `package tether.sandbox

default allow := false

allowed_syscalls := {"read", "write", "openat", "close", "fstat", "mmap", "brk", "futex", "epoll_wait"}

sensitive_prefixes := ["/etc/shadow", "/root/", "/proc/kcore"]

allow if {
  input.syscall_name in allowed_syscalls
  not touches_sensitive
}

touches_sensitive if {
  some prefix in sensitive_prefixes
  startswith(input.args, prefix)
}
`;
const NAMES = ["read", "write", "openat", "close", "connect", "sendto", "execve", "mmap", "futex"];
const ARGS = ["/tmp/x", "/etc/shadow", "/usr/lib/libc.so", "/root/.ssh/id_rsa", "/proc/self/maps"];
const inputs = Array.from({ length: requests }, (_, i) => ({
  syscall_name: NAMES[i % NAMES.length],
  args: ARGS[i % ARGS.length],
  comm: "python3",
  pid: 1000 + (i % 50),
}));

const policy = {
  kind: "rego" as const,
  id: "00000000-0000-4000-8000-00000000be01",
  name: "sandbox",
  package_path: "tether.sandbox",
  source: SOURCE,
  version: 1,
  revision: 1,
  mode: "enforce" as const,
  target_nodes: [],
};

const dir = mkdtempSync(join(tmpdir(), "tether-bench-edge-"));
const socket = join(dir, "opa.sock");
const silent = createLogger({ level: "error", write: () => {} });
const edge = new EdgeGovernance({
  nodeId: "00000000-0000-4000-8000-00000000be00",
  dataDir: dir,
  listen: { socket, port: 0 },
  server: "http://127.0.0.1:9",
  credential: "",
  decisionsUrl: "http://127.0.0.1:9/unreachable",
  headers: () => ({}),
  log: silent,
  timing: { backoffBaseMs: 60_000, backoffCapMs: 60_000 },
});
await edge.start();
await edge.update(sampleState({ rego_policies: [policy] }));

const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const post = (at: { socketPath: string } | { host: string; port: number }, input: unknown) =>
  new Promise<void>((resolve, reject) => {
    const body = JSON.stringify({ input });
    const req = request(
      {
        ...at,
        agent,
        method: "POST",
        path: "/v1/data/tether/sandbox/allow",
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on("end", () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`${res.statusCode}`)),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });

async function sequential(at: Parameters<typeof post>[0]): Promise<number[]> {
  for (const input of inputs.slice(0, 200)) await post(at, input); // warm up
  const out: number[] = [];
  for (const input of inputs) {
    const t = performance.now();
    await post(at, input);
    out.push(performance.now() - t);
  }
  return out;
}

const overSocket = await sequential({ socketPath: socket });
const overTcp = await sequential({ host: "127.0.0.1", port: edge.port! });

const set = new PolicySet();
await set.update([policy]);
const inProcess: number[] = [];
for (const input of inputs) {
  const t = performance.now();
  decide(set.current!, "tether/sandbox/allow", input);
  inProcess.push(performance.now() - t);
}
const engine = compile({ "sandbox.rego": SOURCE });
const evalOnly: number[] = [];
for (const input of inputs) {
  const t = performance.now();
  engine.evalPath("tether/sandbox/allow", { input });
  evalOnly.push(performance.now() - t);
}

let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < inputs.length) await post({ socketPath: socket }, inputs[next++]);
  }),
);
const throughput = inputs.length / ((performance.now() - started) / 1000);

const us = (x: number) => `${(x * 1000).toFixed(1)} µs`;
const row = (what: string, xs: number[]) => ({
  what,
  p50: us(percentile(xs, 50)),
  p99: us(percentile(xs, 99)),
});
console.log(
  table([
    row("POST /v1/data, unix socket (keep-alive)", overSocket),
    row("POST /v1/data, 127.0.0.1 TCP (keep-alive)", overTcp),
    row("decide() in process (eval + log entry)", inProcess),
    row("evalPath in process", evalOnly),
  ]),
);
console.log(
  `\nunix socket, ${concurrency} in flight: ${Math.round(throughput)} decisions/s over ${inputs.length} requests`,
);

agent.destroy();
await edge.stop();
rmSync(dir, { recursive: true, force: true });
