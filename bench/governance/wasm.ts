/**
 * bench/governance/wasm: compiled Wasm policies through the Worker (wrangler
 * dev: workerd, Dynamic Worker loader, local Postgres) beside opa-wasm in
 * process in Node, in the same run. The module is the OPA Wasm ABI fixture
 * (dev/fixtures/opa-abi/policy.wat: hand-written, NOT compiled by OPA), so
 * the figures are the loader's and the API's overhead, not a real policy's
 * evaluation cost.
 * - upload: `POST /api/opa/wasm-policies` of modules with distinct hashes
 *   (a custom section makes each one new), so each starts a new isolate;
 * - `POST /v1/data/{entrypoint}` answered by the active Wasm policy (warm
 *   isolate, decision logged), beside the same decision by a Rego policy;
 * - `evaluate` of the same module with opa-wasm in Node.
 *
 *   npx tsx bench/governance/wasm.ts [--evals 300] [--uploads 10]
 */
import { createHash } from "node:crypto";
import { parseArgs } from "node:util";
import { loadWasmPolicy } from "../../agent/src/governance/wasm-policy.ts";
import { freePort, startControlPlane } from "../../dev/control-plane.ts";
import { compileAbiFixture } from "../../dev/fixtures/opa-abi/compile.ts";
import { ms, percentile, table } from "../stats.ts";

const { values } = parseArgs({
  options: {
    evals: { type: "string", default: "300" },
    uploads: { type: "string", default: "10" },
  },
});
const evals = Number(values.evals);
const uploads = Number(values.uploads);

/** The module with a custom section `bench` holding `label`: same code, another hash. */
function withCustomSection(bytes: Uint8Array, label: string): Uint8Array {
  const name = new TextEncoder().encode("bench");
  const payload = new TextEncoder().encode(label);
  const body = [name.length, ...name, ...payload];
  if (body.length > 127) throw new Error("label too long for a one-byte section size");
  return new Uint8Array([...bytes, 0, body.length, ...body]);
}

const REGO = `package tether.rego_authz

default allow := false

allow if input.user == "admin"
`;

const fixture = await compileAbiFixture();
const plane = await startControlPlane({ port: await freePort() });
const key = plane.firstAdminKey!;
const rows: Record<string, string | number>[] = [];

async function call(method: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${plane.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300)
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const timed = async (n: number, run: (i: number) => Promise<unknown>) => {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await run(i);
    times.push(performance.now() - start);
  }
  return times;
};

try {
  const run = Date.now();
  const uploadTimes = await timed(uploads, (i) =>
    call("POST", "/api/opa/wasm-policies", {
      name: `bench-${run}-${i}`,
      module: Buffer.from(withCustomSection(fixture, `${run}-${i}`)).toString("base64"),
      entrypoints: ["tether/authz/allow"],
    }),
  );
  rows.push({
    measure: "upload, new module (isolate start + checks + write)",
    n: uploads,
    p50: ms(percentile(uploadTimes, 50)),
    p99: ms(percentile(uploadTimes, 99)),
  });

  await call("POST", "/api/opa/wasm-policies", {
    name: "authz",
    module: Buffer.from(fixture).toString("base64"),
    entrypoints: ["tether/authz/allow", "tether/authz/user"],
    status: "active",
  });
  await call("POST", "/api/opa/policies", { name: "rego-authz", source: REGO, status: "active" });
  const inputs = Array.from({ length: evals }, (_, i) => ({
    user: i % 3 === 0 ? "admin" : `u${i}`,
  }));
  for (const [label, path] of [
    ["POST /v1/data, Wasm policy (Dynamic Worker, logged)", "tether/authz/allow"],
    ["POST /v1/data, Rego policy (engine in the Worker, logged)", "tether/rego_authz/allow"],
  ] as const) {
    for (let i = 0; i < 20; i++) await call("POST", `/v1/data/${path}`, { input: inputs[i] });
    const times = await timed(evals, async (i) => {
      const answer = await call("POST", `/v1/data/${path}`, { input: inputs[i] });
      if (answer.result !== (inputs[i]!.user === "admin")) throw new Error(`wrong answer at ${i}`);
    });
    rows.push({
      measure: label,
      n: evals,
      p50: ms(percentile(times, 50)),
      p99: ms(percentile(times, 99)),
    });
  }

  const sha256 = createHash("sha256").update(fixture).digest("hex");
  const loads = await timed(20, () => loadWasmPolicy(fixture, sha256));
  rows.push({
    measure: "loadWasmPolicy in Node (hash + compile + instantiate)",
    n: 20,
    p50: ms(percentile(loads, 50)),
    p99: ms(percentile(loads, 99)),
  });
  const local = await loadWasmPolicy(fixture, sha256);
  const n = evals * 100;
  const evalTimes: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    local.evaluate("tether/authz/allow", inputs[i % inputs.length]);
    evalTimes.push(performance.now() - start);
  }
  rows.push({
    measure: "evaluate with opa-wasm in Node (in process)",
    n,
    p50: `${(percentile(evalTimes, 50) * 1000).toFixed(1)} µs`,
    p99: `${(percentile(evalTimes, 99) * 1000).toFixed(1)} µs`,
  });
  console.log(table(rows));
} finally {
  await plane.stop();
}
