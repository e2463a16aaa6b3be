import type { EdgeRegoPolicy } from "@tether/schema/wire";

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
