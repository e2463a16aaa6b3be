import { compile, toJSON, type Value } from "@tether/rego";
import type { EdgePolicy } from "@tether/schema/wire";
import { describe, expect, it } from "vitest";
import { PolicySet, UnsupportedPolicyKind } from "./policy-set.ts";
import { netPolicy, regoPolicy, SANDBOX_SOURCE } from "./test-policies.ts";

describe("PolicySet", () => {
  it("answers like the engine itself, per path, with every Rego policy compiled together", () => {
    const set = new PolicySet();
    expect(set.current).toBeUndefined();
    expect(set.update([regoPolicy(), netPolicy()])).toEqual({ kind: "compiled", policies: 2 });
    const engine = compile({ "sandbox.rego": SANDBOX_SOURCE });
    const cases: [string, unknown][] = [
      ["tether/sandbox/allow", { syscall_name: "read" }],
      ["tether/sandbox/allow", { syscall_name: "execve" }],
      ["tether/sandbox/reasons", { syscall_name: "execve" }],
      ["tether/sandbox", { syscall_name: "write" }],
    ];
    for (const [path, input] of cases) {
      const want = engine.evalPath(path, { input });
      expect(set.current!.evaluate(path, input)).toEqual({
        defined: true,
        value: toJSON(want.value as Value),
      });
    }
    expect(set.current!.evaluate("tether/net/allow", { port: 443 })).toEqual({
      defined: true,
      value: true,
    });
    expect(set.current!.evaluate("tether/net/allow", { port: 80 })).toEqual({ defined: false });
    expect(set.current!.evaluate("nowhere/at/all", {})).toEqual({ defined: false });
    expect(set.current!.evaluate("tether/sandbox/allow", undefined)).toEqual({
      defined: true,
      value: false,
    });
    // The whole data document holds both packages.
    const all = set.current!.evaluate("", { port: 443 });
    expect(all.value).toMatchObject({
      tether: { net: { allow: true }, sandbox: { allow: false } },
    });
  });

  it("names the policy owning a path: the longest package containing it", () => {
    const set = new PolicySet();
    const inner = regoPolicy({
      id: "00000000-0000-4000-8000-00000000aa03",
      name: "inner",
      package_path: "tether.sandbox.inner",
      source: "package tether.sandbox.inner\n\nx := 1\n",
    });
    set.update([regoPolicy(), inner, netPolicy()]);
    const owner = (path: string) => set.current!.owner(path)?.name;
    expect(owner("tether/sandbox/allow")).toBe("sandbox");
    expect(owner("tether/sandbox/inner/x")).toBe("inner");
    expect(owner("tether/net")).toBe("net");
    expect(owner("tether/netx/allow")).toBeUndefined();
    expect(owner("other")).toBeUndefined();
  });

  it("recompiles only when the set changes (a policy added, removed or at another version)", () => {
    const set = new PolicySet();
    set.update([regoPolicy()]);
    const first = set.current;
    expect(set.update([regoPolicy()])).toEqual({ kind: "unchanged" });
    expect(set.current).toBe(first);
    // Order does not matter.
    set.update([regoPolicy(), netPolicy()]);
    const second = set.current;
    expect(set.update([netPolicy(), regoPolicy()])).toEqual({ kind: "unchanged" });
    expect(set.current).toBe(second);
    expect(set.update([netPolicy()]).kind).toBe("compiled");
    expect(set.current!.evaluate("tether/sandbox/allow", { syscall_name: "read" })).toEqual({
      defined: false,
    });
    const v2 = netPolicy({ version: 2, source: "package tether.net\n\nallow := true\n" });
    expect(set.update([v2]).kind).toBe("compiled");
    expect(set.current!.evaluate("tether/net/allow", {})).toEqual({ defined: true, value: true });
    expect(set.update([]).kind).toBe("compiled");
    expect(set.current!.evaluate("tether/net/allow", {})).toEqual({ defined: false });
  });

  it("keeps the previous set answering when a new one fails to compile, and reports why", () => {
    const set = new PolicySet();
    set.update([regoPolicy()]);
    const good = set.current;
    const broken = netPolicy({
      version: 2,
      source: "package tether.net\n\nallow if {\n  x == 1\n}\n",
    });
    const out = set.update([regoPolicy(), broken]);
    expect(out.kind).toBe("failed");
    expect(set.errors).toEqual([
      expect.stringMatching(
        /^rego policies do not compile: net\.rego:4:3: rego_unsafe_var_error: /,
      ),
    ]);
    expect(set.current).toBe(good);
    expect(set.current!.evaluate("tether/sandbox/allow", { syscall_name: "read" }).value).toBe(
      true,
    );
    // The same broken set again is not compiled again; the error stays.
    expect(set.update([regoPolicy(), broken])).toEqual({ kind: "failed", errors: set.errors });
    // A parse error is reported too.
    set.update([
      regoPolicy(),
      netPolicy({ version: 3, source: "package tether.net\n\nallow if {" }),
    ]);
    expect(set.errors[0]).toMatch(/net\.rego:3:\d+: rego_parse_error/);
    // A fixed set compiles and clears the errors; so does going back to the answering set.
    set.update([regoPolicy(), netPolicy({ version: 4 })]);
    expect(set.errors).toEqual([]);
    expect(set.current!.evaluate("tether/net/allow", { port: 443 }).value).toBe(true);
    set.update([regoPolicy(), broken]);
    expect(set.errors).toHaveLength(1);
    set.update([regoPolicy(), netPolicy({ version: 4 })]);
    expect(set.errors).toEqual([]);
  });

  it("reports policies of a kind it does not evaluate, and refuses to answer for their paths", () => {
    const set = new PolicySet();
    const wasm = {
      kind: "wasm",
      id: "00000000-0000-4000-8000-00000000aa09",
      name: "authz-wasm",
      entrypoints: ["tether/authz/allow"],
      sha256: "0".repeat(64),
      size_bytes: 10,
      version: 1,
      revision: 1,
      mode: "enforce",
      target_nodes: [],
    } as unknown as EdgePolicy;
    expect(set.update([regoPolicy(), wasm]).kind).toBe("compiled");
    expect(set.errors).toEqual([
      'policy "authz-wasm" is of kind wasm, which this agent does not evaluate',
    ]);
    expect(set.current!.owner("tether/authz/allow")?.name).toBe("authz-wasm");
    expect(() => set.current!.evaluate("tether/authz/allow", {})).toThrow(UnsupportedPolicyKind);
    expect(set.current!.evaluate("tether/sandbox/allow", { syscall_name: "read" }).value).toBe(
      true,
    );
  });
});
