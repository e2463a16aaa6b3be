/**
 * bench/governance/edge: the agent's local OPA endpoint (what a sandbox
 * enforcer calls) beside the same decision in process, in one run:
 * - `POST /v1/data/{path}` over the unix socket, one request at a time with
 *   a keep-alive connection: latency p50/p99, each decision logged to the
 *   disk spool as in production (nothing ships: no control plane);
 * - the same over 127.0.0.1 TCP;
 * - the same decisions in process (`decide`: evaluation + log entry), and
 *   `evalPath` alone;
 * - throughput over the socket with `--concurrency` requests in flight;
 * - a Wasm policy's entrypoint over the socket and `decide` in process
 *   (opa-wasm; the module is the OPA Wasm ABI fixture, dev/fixtures/opa-abi:
 *   hand-written, NOT compiled by OPA, so it says what the agent's path
 *   costs around opa-wasm, not what a real compiled policy costs), loaded
 *   from the agent's on-disk module cache as after a restart without the
 *   control plane.
 *
 *   npx tsx bench/governance/edge.ts [--requests 5000] [--concurrency 8]
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { decide } from "../../agent/src/governance/decide.ts";
import { EdgeGovernance } from "../../agent/src/governance/edge.ts";
import { PolicySet } from "../../agent/src/governance/policy-set.ts";
import { wasmModulesDir } from "../../agent/src/governance/wasm-modules.ts";
import { loadWasmPolicy } from "../../agent/src/governance/wasm-policy.ts";
import { createLogger } from "../../agent/src/log.ts";
import { writeFileAtomic } from "../../agent/src/state/files.ts";
import { sampleState } from "../../agent/src/state/test-state.ts";
import { compileAbiFixture } from "../../dev/fixtures/opa-abi/compile.ts";
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

const abi = await compileAbiFixture();
const wasmPolicy = {
  kind: "wasm" as const,
  id: "00000000-0000-4000-8000-00000000be02",
  name: "authz",
  entrypoints: ["tether/authz/allow", "tether/authz/user"],
  sha256: createHash("sha256").update(abi).digest("hex"),
  size_bytes: abi.length,
  version: 1,
  revision: 1,
  mode: "enforce" as const,
  target_nodes: [],
};
const USERS = ["admin", "alice", "bob", "carol"];
const wasmInputs = inputs.map((_, i) => ({ user: USERS[i % USERS.length], role: "dev" }));

const dir = mkdtempSync(join(tmpdir(), "tether-bench-edge-"));
// As a previous run of the agent left it: the module in its cache, no control plane to fetch from.
writeFileAtomic(join(wasmModulesDir(dir), `${wasmPolicy.sha256}.wasm`), abi);
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
await edge.update(sampleState({ rego_policies: [policy, wasmPolicy] }));
if (edge.errors().length > 0) throw new Error(edge.errors().join("\n"));

const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const post = (
  at: { socketPath: string } | { host: string; port: number },
  input: unknown,
  path = "/v1/data/tether/sandbox/allow",
) =>
  new Promise<void>((resolve, reject) => {
    const body = JSON.stringify({ input });
    const req = request(
      {
        ...at,
        agent,
        method: "POST",
        path,
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

async function sequential(
  at: Parameters<typeof post>[0],
  over: unknown[] = inputs,
  path?: string,
): Promise<number[]> {
  for (const input of over.slice(0, 200)) await post(at, input, path); // warm up
  const out: number[] = [];
  for (const input of over) {
    const t = performance.now();
    await post(at, input, path);
    out.push(performance.now() - t);
  }
  return out;
}

const overSocket = await sequential({ socketPath: socket });
const overTcp = await sequential({ host: "127.0.0.1", port: edge.port! });
const wasmOverSocket = await sequential(
  { socketPath: socket },
  wasmInputs,
  "/v1/data/tether/authz/allow",
);

const set = new PolicySet();
await set.update([policy]);
const inProcess: number[] = [];
for (const input of inputs) {
  const t = performance.now();
  decide(set.current!, "tether/sandbox/allow", input);
  inProcess.push(performance.now() - t);
}
const wasmSet = new PolicySet((p) => loadWasmPolicy(abi, p.sha256));
await wasmSet.update([wasmPolicy]);
const wasmInProcess: number[] = [];
for (const input of wasmInputs) {
  const t = performance.now();
  decide(wasmSet.current!, "tether/authz/allow", input);
  wasmInProcess.push(performance.now() - t);
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
    row("Wasm (ABI fixture): POST /v1/data, unix socket", wasmOverSocket),
    row("Wasm (ABI fixture): decide() in process", wasmInProcess),
  ]),
);
console.log(
  `\nunix socket, ${concurrency} in flight: ${Math.round(throughput)} decisions/s over ${inputs.length} requests`,
);

agent.destroy();
await edge.stop();
rmSync(dir, { recursive: true, force: true });
