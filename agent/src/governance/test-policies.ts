import { createHash } from "node:crypto";
import type { EdgeRegoPolicy, EdgeWasmPolicy } from "@tether/schema/wire";
import { compileAbiFixture } from "../../../dev/fixtures/opa-abi/compile.ts";

/** Rego policies as the control plane sends them, for the governance tests. */
export const SANDBOX_SOURCE = `package tether.sandbox

default allow := false

allow if input.syscall_name in {"read", "write"}

reasons contains "exec is never allowed" if input.syscall_name == "execve"
`;

export const NET_SOURCE = `package tether.net

allow if input.port == 443
`;

export function regoPolicy(over: Partial<EdgeRegoPolicy> = {}): EdgeRegoPolicy {
  return {
    kind: "rego",
    id: "00000000-0000-4000-8000-00000000aa01",
    name: "sandbox",
    package_path: "tether.sandbox",
    source: SANDBOX_SOURCE,
    version: 1,
    revision: 3,
    mode: "enforce",
    target_nodes: [],
    ...over,
  };
}

export const netPolicy = (over: Partial<EdgeRegoPolicy> = {}) =>
  regoPolicy({
    id: "00000000-0000-4000-8000-00000000aa02",
    name: "net",
    package_path: "tether.net",
    source: NET_SOURCE,
    mode: "audit",
    ...over,
  });

/**
 * The OPA Wasm ABI fixture (dev/fixtures/opa-abi/policy.wat: hand-written,
 * NOT compiled by OPA) assembled by wabt, with its SHA-256. `allowedUser`
 * makes another module (allow admits that user instead of "admin").
 */
export async function abiModule(
  allowedUser?: string,
): Promise<{ bytes: Uint8Array; sha256: string }> {
  const bytes = await compileAbiFixture(allowedUser === undefined ? {} : { allowedUser });
  return { bytes, sha256: createHash("sha256").update(bytes).digest("hex") };
}

/** A Wasm policy as the control plane sends it: the fixture's entrypoints, by hash. */
export function wasmPolicy(
  module: { bytes: Uint8Array; sha256: string },
  over: Partial<EdgeWasmPolicy> = {},
): EdgeWasmPolicy {
  return {
    kind: "wasm",
    id: "00000000-0000-4000-8000-00000000aa09",
    name: "authz",
    entrypoints: ["tether/authz/allow", "tether/authz/user", "tether/authz/conflict"],
    sha256: module.sha256,
    size_bytes: module.bytes.length,
    version: 1,
    revision: 4,
    mode: "enforce",
    target_nodes: [],
    ...over,
  };
}
