import { createHash } from "node:crypto";
import { compile, toJSON, type Value } from "@tether/rego";
import type { EdgeWasmPolicy } from "@tether/schema/wire";
import { describe, expect, it } from "vitest";
import { PolicySet, type WasmLoader } from "./policy-set.ts";
import { abiModule, netPolicy, regoPolicy, SANDBOX_SOURCE, wasmPolicy } from "./test-policies.ts";
import { loadWasmPolicy, WasmPolicyError } from "./wasm-policy.ts";

describe("PolicySet", () => {
  it("answers like the engine itself, per path, with every Rego policy compiled together", async () => {
    const set = new PolicySet();
    expect(set.current).toBeUndefined();
    expect(await set.update([regoPolicy(), netPolicy()])).toEqual({
      kind: "compiled",
      policies: 2,
    });
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

  it("names the policy owning a path: the longest package containing it", async () => {
    const set = new PolicySet();
    const inner = regoPolicy({
      id: "00000000-0000-4000-8000-00000000aa03",
      name: "inner",
      package_path: "tether.sandbox.inner",
      source: "package tether.sandbox.inner\n\nx := 1\n",
    });
    await set.update([regoPolicy(), inner, netPolicy()]);
    const owner = (path: string) => set.current!.owner(path)?.name;
    expect(owner("tether/sandbox/allow")).toBe("sandbox");
    expect(owner("tether/sandbox/inner/x")).toBe("inner");
    expect(owner("tether/net")).toBe("net");
    expect(owner("tether/netx/allow")).toBeUndefined();
    expect(owner("other")).toBeUndefined();
  });

  it("recompiles only when the set changes (a policy added, removed or at another version)", async () => {
    const set = new PolicySet();
    await set.update([regoPolicy()]);
    const first = set.current;
    expect(await set.update([regoPolicy()])).toEqual({ kind: "unchanged" });
    expect(set.current).toBe(first);
    // Order does not matter.
    await set.update([regoPolicy(), netPolicy()]);
    const second = set.current;
    expect(await set.update([netPolicy(), regoPolicy()])).toEqual({ kind: "unchanged" });
    expect(set.current).toBe(second);
    expect((await set.update([netPolicy()])).kind).toBe("compiled");
    expect(set.current!.evaluate("tether/sandbox/allow", { syscall_name: "read" })).toEqual({
      defined: false,
    });
    const v2 = netPolicy({ version: 2, source: "package tether.net\n\nallow := true\n" });
    expect((await set.update([v2])).kind).toBe("compiled");
    expect(set.current!.evaluate("tether/net/allow", {})).toEqual({ defined: true, value: true });
    expect((await set.update([])).kind).toBe("compiled");
    expect(set.current!.evaluate("tether/net/allow", {})).toEqual({ defined: false });
  });

  it("keeps the previous set answering when a new one fails to compile, and reports why", async () => {
    const set = new PolicySet();
    await set.update([regoPolicy()]);
    const good = set.current;
    const broken = netPolicy({
      version: 2,
      source: "package tether.net\n\nallow if {\n  x == 1\n}\n",
    });
    const out = await set.update([regoPolicy(), broken]);
    expect(out).toMatchObject({ kind: "failed", retryable: false });
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
    expect(await set.update([regoPolicy(), broken])).toEqual({
      kind: "failed",
      errors: set.errors,
      retryable: false,
    });
    // A parse error is reported too.
    await set.update([
      regoPolicy(),
      netPolicy({ version: 3, source: "package tether.net\n\nallow if {" }),
    ]);
    expect(set.errors[0]).toMatch(/net\.rego:3:\d+: rego_parse_error/);
    // A fixed set compiles and clears the errors; so does going back to the answering set.
    await set.update([regoPolicy(), netPolicy({ version: 4 })]);
    expect(set.errors).toEqual([]);
    expect(set.current!.evaluate("tether/net/allow", { port: 443 }).value).toBe(true);
    await set.update([regoPolicy(), broken]);
    expect(set.errors).toHaveLength(1);
    await set.update([regoPolicy(), netPolicy({ version: 4 })]);
    expect(set.errors).toEqual([]);
  });
});

/** With the OPA Wasm ABI fixture (dev/fixtures/opa-abi/policy.wat: hand-written, not OPA-compiled). */
const admin = await abiModule();
const owner = await abiModule("owner");
const modules = new Map([admin, owner].map((m) => [m.sha256, m.bytes]));

/**
 * A loader over the fixture's bytes with opa-wasm, counting its calls; a
 * test may hold a hash back (until released) or make it fail.
 */
function loader() {
  const calls: string[] = [];
  const held = new Map<string, () => void>();
  const failing = new Map<string, WasmPolicyError>();
  const holdNext = new Set<string>();
  const fetchFlags: boolean[] = [];
  const load: WasmLoader = async (p: EdgeWasmPolicy, { signal, fetch }) => {
    calls.push(p.sha256);
    fetchFlags.push(fetch);
    if (holdNext.delete(p.sha256)) {
      await new Promise<void>((resolve, reject) => {
        held.set(p.sha256, resolve);
        signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      });
      held.delete(p.sha256);
    }
    const failure = failing.get(p.sha256);
    if (failure) throw failure;
    return loadWasmPolicy(modules.get(p.sha256) ?? new Uint8Array(), p.sha256);
  };
  return {
    load,
    calls,
    fetchFlags,
    failing,
    hold: (sha256: string) => holdNext.add(sha256),
    release: (sha256: string) => held.get(sha256)?.(),
    isHeld: (sha256: string) => held.has(sha256),
  };
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(cond()).toBe(true);
}

describe("PolicySet with Wasm policies", () => {
  it("answers a Wasm policy's entrypoints through opa-wasm, beside the Rego set, with its mode", async () => {
    const l = loader();
    const set = new PolicySet(l.load);
    const authz = wasmPolicy(admin, { mode: "audit" });
    expect(await set.update([regoPolicy(), authz])).toEqual({ kind: "compiled", policies: 2 });
    const current = set.current!;
    expect(current.evaluate("tether/authz/allow", { user: "admin" })).toEqual({
      defined: true,
      value: true,
    });
    expect(current.evaluate("tether/authz/allow", { user: "eve" })).toEqual({
      defined: true,
      value: false,
    });
    expect(current.evaluate("tether/authz/allow", undefined)).toEqual({
      defined: true,
      value: false,
    });
    expect(current.evaluate("tether/authz/user", { user: "eve" })).toEqual({
      defined: true,
      value: "eve",
    });
    expect(current.evaluate("tether/authz/user", { user: 7 })).toEqual({ defined: false });
    expect(current.owner("tether/authz/allow")).toBe(authz);
    expect(current.owner("tether/authz/allow")?.mode).toBe("audit");
    // Only its entrypoints are the module's (as on the control plane); the Rego set answers the rest.
    expect(current.owner("tether/authz")).toBeUndefined();
    expect(current.evaluate("tether/authz", { user: "admin" })).toEqual({ defined: false });
    expect(current.evaluate("tether/sandbox/allow", { syscall_name: "read" }).value).toBe(true);
    expect(current.owner("tether/sandbox/allow")?.name).toBe("sandbox");
    // An evaluation error is the module's, typed.
    expect(() => current.evaluate("tether/authz/conflict", { user: "x" })).toThrow(
      expect.objectContaining({ stage: "eval", message: expect.stringContaining("conflict") }),
    );
    expect(l.calls).toEqual([admin.sha256]);
  });

  it("loads a module again only when the set changes, and a new hash answers as the new version", async () => {
    const l = loader();
    const set = new PolicySet(l.load);
    await set.update([wasmPolicy(admin)]);
    expect(await set.update([wasmPolicy(admin)])).toEqual({ kind: "unchanged" });
    expect(l.calls).toHaveLength(1);
    const v2 = wasmPolicy(owner, { version: 2, revision: 5 });
    expect((await set.update([v2])).kind).toBe("compiled");
    expect(set.current!.evaluate("tether/authz/allow", { user: "owner" }).value).toBe(true);
    expect(set.current!.evaluate("tether/authz/allow", { user: "admin" }).value).toBe(false);
    expect(l.calls).toEqual([admin.sha256, owner.sha256]);
    expect(l.fetchFlags).toEqual([true, true]);
    // Told not to fetch, the loader hears it.
    await set.update([wasmPolicy(admin, { version: 3 })], { fetch: false });
    expect(l.fetchFlags.at(-1)).toBe(false);
    // Removed: its paths are undefined again.
    expect((await set.update([regoPolicy()])).kind).toBe("compiled");
    expect(set.current!.evaluate("tether/authz/allow", { user: "owner" })).toEqual({
      defined: false,
    });
  });

  it("keeps the previous set answering while a module loads, and when it cannot be had; tries again next time", async () => {
    const l = loader();
    const set = new PolicySet(l.load);
    await set.update([regoPolicy()]);
    const previous = set.current;
    l.hold(admin.sha256);
    const pending = set.update([regoPolicy(), wasmPolicy(admin)]);
    await until(() => l.isHeld(admin.sha256));
    expect(set.current).toBe(previous);
    expect(set.current!.evaluate("tether/authz/allow", { user: "admin" })).toEqual({
      defined: false,
    });
    l.release(admin.sha256);
    expect((await pending).kind).toBe("compiled");
    expect(set.current!.evaluate("tether/authz/allow", { user: "admin" }).value).toBe(true);

    // The control plane does not hand the new module over: reported, v1 answers on.
    const v2 = wasmPolicy(owner, { version: 2 });
    l.failing.set(owner.sha256, new WasmPolicyError("fetch", "GET the module: 503 unavailable"));
    expect(await set.update([regoPolicy(), v2])).toEqual({
      kind: "failed",
      errors: ['Wasm policy "authz" (version 2): GET the module: 503 unavailable'],
      retryable: true,
    });
    expect(set.errors).toEqual([
      'Wasm policy "authz" (version 2): GET the module: 503 unavailable',
    ]);
    expect(set.current!.evaluate("tether/authz/allow", { user: "admin" }).value).toBe(true);
    // A fetch failure may pass: the same set is tried again, and then answers.
    l.failing.delete(owner.sha256);
    expect((await set.update([regoPolicy(), v2])).kind).toBe("compiled");
    expect(set.errors).toEqual([]);
    expect(set.current!.evaluate("tether/authz/allow", { user: "owner" }).value).toBe(true);
  });

  it("does not try again a module opa-wasm refuses, nor one lacking an entrypoint; Rego errors come first", async () => {
    const l = loader();
    const set = new PolicySet(l.load);
    await set.update([wasmPolicy(admin)]);
    const good = set.current;
    const bytes = new TextEncoder().encode("not wasm");
    const junk = { bytes, sha256: createHash("sha256").update(bytes).digest("hex") };
    modules.set(junk.sha256, junk.bytes);
    const refused = wasmPolicy(junk, { version: 2 });
    const out = await set.update([refused]);
    expect(out).toMatchObject({ kind: "failed", retryable: false });
    expect(set.errors).toEqual([
      expect.stringMatching(
        /^Wasm policy "authz" \(version 2\): opa-wasm cannot load the module: /,
      ),
    ]);
    expect(await set.update([refused])).toMatchObject({ kind: "failed", retryable: false });
    expect(l.calls.filter((h) => h === junk.sha256)).toHaveLength(1);
    expect(set.current).toBe(good);

    const extra = wasmPolicy(admin, {
      version: 3,
      entrypoints: ["tether/authz/allow", "tether/authz/deny"],
    });
    expect(await set.update([extra])).toMatchObject({ kind: "failed", retryable: false });
    expect(set.errors).toEqual([
      'Wasm policy "authz" (version 3): the module has no entrypoint "tether/authz/deny" (it has: tether/authz/allow, tether/authz/user, tether/authz/conflict)',
    ]);

    // Both kinds broken at once: each is named, and nothing is retried.
    l.failing.set(owner.sha256, new WasmPolicyError("fetch", "offline"));
    const broken = netPolicy({ source: "package tether.net\n\nallow if {\n  x == 1\n}\n" });
    expect(await set.update([broken, wasmPolicy(owner, { version: 4 })])).toMatchObject({
      kind: "failed",
      retryable: false,
    });
    expect(set.errors).toEqual([
      expect.stringMatching(/^rego policies do not compile: net\.rego:4:3: rego_unsafe_var_error/),
      'Wasm policy "authz" (version 4): offline',
    ]);
    expect(set.current).toBe(good);
  });

  it("drops a set a newer update overtook while its module loaded; the newest set answers", async () => {
    const l = loader();
    const set = new PolicySet(l.load);
    await set.update([regoPolicy()]);
    l.hold(admin.sha256);
    const first = set.update([wasmPolicy(admin)]);
    await until(() => l.isHeld(admin.sha256));
    const second = set.update([regoPolicy(), netPolicy()]);
    l.release(admin.sha256);
    expect(await first).toEqual({ kind: "superseded" });
    expect(await second).toEqual({ kind: "compiled", policies: 2 });
    expect(set.current!.owner("tether/authz/allow")).toBeUndefined();
    expect(set.current!.evaluate("tether/net/allow", { port: 443 }).value).toBe(true);
  });

  it("cancel() aborts a load under way; the answering set stays", async () => {
    const l = loader();
    const set = new PolicySet(l.load);
    await set.update([regoPolicy()]);
    const answering = set.current;
    l.hold(owner.sha256);
    const pending = set.update([wasmPolicy(owner)]);
    await until(() => l.isHeld(owner.sha256));
    await set.cancel();
    expect(await pending).toEqual({ kind: "superseded" });
    expect(set.current).toBe(answering);
    expect(set.errors).toEqual([]);
    // Updates after it work.
    expect((await set.update([wasmPolicy(admin)])).kind).toBe("compiled");
  });

  it("without a Wasm loader, a Wasm policy is reported and the previous set answers", async () => {
    const set = new PolicySet();
    await set.update([regoPolicy()]);
    expect(await set.update([regoPolicy(), wasmPolicy(admin)])).toMatchObject({ kind: "failed" });
    expect(set.errors).toEqual([
      'Wasm policy "authz" (version 1): this agent has no source of Wasm modules',
    ]);
    expect(set.current!.evaluate("tether/sandbox/allow", { syscall_name: "read" }).value).toBe(
      true,
    );
  });
});
