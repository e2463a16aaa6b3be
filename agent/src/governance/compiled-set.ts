import {
  compile,
  type Engine,
  RegoCompileErrors,
  RegoError,
  toJSON,
  type Value,
} from "@tether/rego";
import {
  type EdgePolicy,
  type EdgeRegoPolicy,
  type EdgeWasmPolicy,
  policyOwningPath,
} from "@tether/schema/wire";
import { type WasmPolicy, WasmPolicyError } from "./wasm-policy.ts";

/** A document's value as plain JSON (sets as sorted arrays), or undefined. */
export interface PathValue {
  defined: boolean;
  value?: unknown;
}

/** What one compiled set answers with, whatever kinds of policy it holds. */
export interface CompiledSet {
  readonly policies: readonly EdgePolicy[];
  /** The policy that owns a normalized path (a Wasm entrypoint, else a Rego package), if any. */
  owner(path: string): EdgePolicy | undefined;
  /**
   * Evaluates a normalized path (`""` = the whole data document). Throws
   * RegoError (conflicts, strict builtins) and WasmPolicyError (`eval`).
   */
  evaluate(path: string, input: unknown): PathValue;
}

/** How a set loads its Wasm modules. */
export interface LoadOptions {
  /** Aborts module fetches (the agent stops, a newer set). */
  signal: AbortSignal;
  /** False: only modules already in memory or on disk (the agent starting from its cache). */
  fetch: boolean;
}

/** A policy's Wasm module, loaded (from memory, disk or the control plane). */
export type WasmLoader = (policy: EdgeWasmPolicy, opts: LoadOptions) => Promise<WasmPolicy>;

/**
 * Why a set cannot answer, one line per problem. `retryable`: the same set
 * may load later (a module the control plane did not hand over); otherwise
 * it never will (Rego that does not compile, a module opa-wasm refuses).
 */
export class SetNotLoaded extends Error {
  constructor(
    readonly errors: string[],
    readonly retryable: boolean,
  ) {
    super(errors.join("; "));
    this.name = "SetNotLoaded";
  }
}

/**
 * Compiles the Rego policies into one engine (as the control plane does for
 * the org's active set, so one policy may import another) and loads each
 * Wasm policy's module beside it. A path that is one of a Wasm policy's
 * entrypoints is answered by its module (as the control plane's
 * `/v1/data` does, before the Rego set); any other path by the engine.
 * Throws {@link SetNotLoaded} naming every policy that failed, or the
 * abort reason when the signal fires.
 */
export async function buildSet(
  policies: readonly EdgePolicy[],
  loadWasm: WasmLoader | undefined,
  opts: LoadOptions,
): Promise<CompiledSet> {
  const sorted = [...policies].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const rego = sorted.filter((p): p is EdgeRegoPolicy => p.kind === "rego");
  const wasm = sorted.filter((p): p is EdgeWasmPolicy => p.kind === "wasm");
  let engine: Engine | undefined;
  let regoErrors: string[] = [];
  try {
    engine = compile(rego.map((p) => ({ file: moduleFile(p), source: p.source })));
  } catch (e) {
    regoErrors = compileErrors(e);
  }
  const loads = await Promise.allSettled(wasm.map((p) => loadChecked(p, loadWasm, opts)));
  opts.signal.throwIfAborted();
  const wasmErrors: string[] = [];
  let retryable = regoErrors.length === 0;
  const modules = new Map<string, { policy: EdgeWasmPolicy; module: WasmPolicy }>();
  loads.forEach((r, i) => {
    const policy = wasm[i]!;
    if (r.status === "rejected") {
      wasmErrors.push(`Wasm policy "${policy.name}" (version ${policy.version}): ${why(r.reason)}`);
      if (r.reason instanceof WasmPolicyError && r.reason.stage === "load") retryable = false;
      return;
    }
    for (const entrypoint of policy.entrypoints) {
      // Two policies serving one entrypoint (the control plane refuses that): the first by name.
      if (!modules.has(entrypoint)) modules.set(entrypoint, { policy, module: r.value });
    }
  });
  if (engine === undefined || wasmErrors.length > 0) {
    throw new SetNotLoaded([...regoErrors, ...wasmErrors], retryable);
  }
  const rules = engine;
  const prefixes = rego.map((policy) => ({ policy, dotted: policy.package_path }));
  return {
    policies: sorted,
    owner: (path) =>
      modules.get(path)?.policy ?? policyOwningPath(prefixes, path, (p) => p.dotted)?.policy,
    evaluate(path, input) {
      const wasmOwner = modules.get(path);
      if (wasmOwner) {
        const d = wasmOwner.module.evaluate(path, input);
        return d.defined ? { defined: true, value: d.value } : { defined: false };
      }
      return evalRego(rules, path, input);
    },
  };
}

/** The module, refused (as opa-wasm would refuse it) when it lacks one of the policy's entrypoints. */
async function loadChecked(
  policy: EdgeWasmPolicy,
  loadWasm: WasmLoader | undefined,
  opts: LoadOptions,
): Promise<WasmPolicy> {
  if (!loadWasm) throw new WasmPolicyError("fetch", "this agent has no source of Wasm modules");
  const module = await loadWasm(policy, opts);
  const missing = policy.entrypoints.filter((e) => !module.entrypoints.includes(e));
  if (missing.length > 0) {
    throw new WasmPolicyError(
      "load",
      `the module has no entrypoint ${missing.map((e) => `"${e}"`).join(", ")} (it has: ${module.entrypoints.join(", ")})`,
    );
  }
  return module;
}

const why = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The file name a policy's module has in error locations (the control plane's too). */
const moduleFile = (p: { name: string }) => `${p.name}.rego`;

function evalRego(engine: Engine, path: string, input: unknown): PathValue {
  // As the control plane's evalAt: one segment is a dotted ref, more are a slash path.
  const ref = path.includes("/") ? path : path === "" ? "data" : `data.${path}`;
  const r = engine.evalPath(ref, input === undefined ? {} : { input });
  return r.defined ? { defined: true, value: toJSON(r.value as Value) } : { defined: false };
}

/** `name.rego:3:7: rego_unsafe_var_error: var x is unsafe`, one line per error. */
function compileErrors(e: unknown): string[] {
  const list = e instanceof RegoCompileErrors ? e.errors : e instanceof RegoError ? [e] : undefined;
  if (!list) throw e;
  return list.map((err) => {
    const at = err.location
      ? `${err.location.file}:${err.location.line}:${err.location.col}: `
      : "";
    return `rego policies do not compile: ${at}${err.code}: ${err.message}`;
  });
}
