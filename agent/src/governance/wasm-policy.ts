import { createHash } from "node:crypto";
import { loadPolicy } from "@open-policy-agent/opa-wasm";

/**
 * Policies compiled to Wasm by OPA (`opa build -t wasm`), evaluated in the
 * agent with @open-policy-agent/opa-wasm (Node compiles Wasm at run time).
 * Self-contained: the edge policy cache hands it the bytes it fetched from
 * `GET /v1/nodes/{id}/policies/{policyId}/wasm` and the `sha256` that the
 * node's state or `rego_policy_updated` gave for that policy.
 */

/** What a Wasm entrypoint decided: OPA's result set and the value it stands for. */
export interface WasmDecision {
  /** False when the result set is empty (the entrypoint is undefined for this input). */
  defined: boolean;
  /** `resultSet[0].result`, when defined. */
  value?: unknown;
  /** OPA's result set as opa-wasm returned it: `[{result: …}]` or `[]`. */
  resultSet: unknown[];
}

export interface WasmPolicy {
  readonly sha256: string;
  /** Entrypoint names the module exports, e.g. `tether/authz/allow`. */
  readonly entrypoints: readonly string[];
  /** `1.<opa_wasm_abi_minor_version>`, or null when the module exports no minor version. */
  readonly abiVersion: string | null;
  /** Throws WasmPolicyError (`eval`) for an unknown entrypoint or an evaluation error. */
  evaluate(entrypoint: string, input?: unknown): WasmDecision;
}

/**
 * Why a module could not be had (`fetch`: the control plane did not hand it
 * over), why bytes were refused (`integrity`, `load`) or an evaluation
 * failed (`eval`).
 */
export class WasmPolicyError extends Error {
  constructor(
    readonly stage: "fetch" | "integrity" | "load" | "eval",
    message: string,
  ) {
    super(message);
    this.name = "WasmPolicyError";
  }
}

/** The bytes' SHA-256 (lowercase hex); throws WasmPolicyError (`integrity`) unless it is `sha256`. */
export function checkSha256(bytes: Uint8Array, sha256: string): string {
  const actual = createHash("sha256").update(bytes).digest("hex");
  if (actual !== sha256.toLowerCase()) {
    throw new WasmPolicyError(
      "integrity",
      `the module's SHA-256 is ${actual}, not the expected ${sha256}: refusing to load it`,
    );
  }
  return actual;
}

const reason = (e: unknown) =>
  e instanceof Error ? e.message : typeof e === "string" ? e : JSON.stringify(e);

/**
 * Checks the bytes against `sha256` (lowercase hex) before anything runs,
 * then instantiates them with opa-wasm.
 *
 * @example
 * const policy = await loadWasmPolicy(bytes, edgePolicy.sha256);
 * policy.evaluate("tether/authz/allow", { user: "admin" }); // { defined: true, value: true, … }
 */
export async function loadWasmPolicy(bytes: Uint8Array, sha256: string): Promise<WasmPolicy> {
  const actual = checkSha256(bytes, sha256);
  let loaded: Awaited<ReturnType<typeof loadPolicy>>;
  try {
    loaded = await loadPolicy(bytes);
  } catch (e) {
    throw new WasmPolicyError("load", `opa-wasm cannot load the module: ${reason(e)}`);
  }
  const ids = loaded.entrypoints as Record<string, number>;
  const minor = loaded.minorVersion as number | undefined;
  return {
    sha256: actual,
    entrypoints: Object.keys(ids),
    abiVersion: minor === undefined ? null : `1.${minor}`,
    evaluate(entrypoint, input) {
      if (!Object.hasOwn(ids, entrypoint)) {
        throw new WasmPolicyError(
          "eval",
          `the module has no entrypoint "${entrypoint}" (it has: ${Object.keys(ids).join(", ")})`,
        );
      }
      // The input's JSON text, as the control plane's evaluator passes it:
      // `false` or `0` is an input, not "no input" as opa-wasm would read those values.
      const text = input === undefined ? undefined : Buffer.from(JSON.stringify(input));
      let resultSet: unknown[];
      try {
        resultSet = loaded.evaluate(
          text?.buffer.slice(text.byteOffset, text.byteOffset + text.byteLength),
          entrypoint,
        ) as unknown[];
      } catch (e) {
        throw new WasmPolicyError("eval", reason(e));
      }
      const first = resultSet[0] as { result?: unknown } | undefined;
      return first !== undefined && "result" in first
        ? { defined: true, value: first.result, resultSet }
        : { defined: false, resultSet };
    },
  };
}

export interface FetchWasmModuleOptions {
  /** The control plane's base URL. */
  url: string;
  nodeId: string;
  policyId: string;
  /** The node credential (`tk_node_…`), sent as a Bearer token, never logged. */
  credential: string;
  /** The hash the state or event named; the bytes must match it. */
  sha256: string;
  fetch?: typeof fetch;
  /** Aborts the request (a timeout, the agent stopping). */
  signal?: AbortSignal;
}

/**
 * Fetches a Wasm policy's module bytes for this node, refusing bytes whose
 * SHA-256 differs from the one the signed state or event gave (`integrity`).
 * No answer, or another status than 200, is a WasmPolicyError (`fetch`).
 *
 * @example
 * const bytes = await fetchWasmModule({ url, nodeId, policyId: p.id, credential, sha256: p.sha256 });
 */
export async function fetchWasmModule(o: FetchWasmModuleOptions): Promise<Uint8Array> {
  const what = `GET the module of policy ${o.policyId}`;
  let bytes: Uint8Array;
  try {
    const res = await (o.fetch ?? fetch)(
      `${o.url.replace(/\/+$/, "")}/v1/nodes/${encodeURIComponent(o.nodeId)}/policies/${encodeURIComponent(o.policyId)}/wasm`,
      {
        headers: { authorization: `Bearer ${o.credential}` },
        ...(o.signal ? { signal: o.signal } : {}),
      },
    );
    if (res.status !== 200) {
      const body = await res.text().catch(() => "");
      throw new WasmPolicyError("fetch", `${what}: ${res.status} ${body.slice(0, 300)}`);
    }
    bytes = new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    if (e instanceof WasmPolicyError) throw e;
    // fetch() says "fetch failed" and keeps the reason (ECONNREFUSED, a timeout) in `cause`.
    const cause = e instanceof Error && e.cause !== undefined ? `: ${reason(e.cause)}` : "";
    throw new WasmPolicyError("fetch", `${what}: ${reason(e)}${cause}`);
  }
  checkSha256(bytes, o.sha256);
  return bytes;
}

/**
 * Fetches a Wasm policy's module for this node and loads it, refusing bytes
 * whose SHA-256 differs from the one the signed state or event gave.
 */
export async function fetchWasmPolicy(o: FetchWasmModuleOptions): Promise<WasmPolicy> {
  return loadWasmPolicy(await fetchWasmModule(o), o.sha256);
}
