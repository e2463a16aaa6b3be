import {
  compile,
  type Engine,
  RegoCompileErrors,
  RegoError,
  toJSON,
  type Value,
} from "@tether/rego";
import { type EdgePolicy, policyOwningPath } from "@tether/schema/wire";

/** A document's value as plain JSON (sets as sorted arrays), or undefined. */
export interface PathValue {
  defined: boolean;
  value?: unknown;
}

/** What one compiled set answers with, whatever kinds of policy it holds. */
export interface CompiledSet {
  readonly policies: readonly EdgePolicy[];
  /** The policy that owns a normalized path (its package or entrypoint), if any. */
  owner(path: string): EdgePolicy | undefined;
  /**
   * Evaluates a normalized path (`""` = the whole data document). Throws
   * RegoError (conflicts, strict builtins) and {@link UnsupportedPolicyKind}.
   */
  evaluate(path: string, input: unknown): PathValue;
}

/** What {@link PolicySet.update} did. */
export type UpdateOutcome =
  | { kind: "unchanged" }
  | { kind: "compiled"; policies: number }
  /** The new set does not compile: the previous one keeps answering. */
  | { kind: "failed"; errors: string[] };

/**
 * The policies this node enforces, compiled. {@link update} recompiles only
 * when the set changed (a policy added, removed, or at another version); a
 * set that fails to compile leaves the previous one answering and is
 * reported through {@link errors} until a later set compiles.
 *
 * Every Rego policy is compiled into one engine, as the control plane does
 * for the org's active set, so one policy may import another. Policies of
 * other kinds (Wasm) get their own evaluators beside it, chosen by the kind
 * of the policy that owns the path.
 *
 * @example
 * const set = new PolicySet();
 * set.update(state.rego_policies);
 * set.current?.evaluate("tether/sandbox/allow", { syscall_name: "read" }); // { defined: true, value: true }
 */
export class PolicySet {
  #current: CompiledSet | undefined;
  #fingerprint: string | undefined;
  /** The fingerprint of the last set that failed, so it is not compiled again and again. */
  #failedFingerprint: string | undefined;
  #errors: string[] = [];

  /** The set answering now; undefined before the first set compiled. */
  get current(): CompiledSet | undefined {
    return this.#current;
  }

  /** Why the newest set is not the one answering (empty when it is). */
  get errors(): readonly string[] {
    return this.#errors;
  }

  update(policies: readonly EdgePolicy[]): UpdateOutcome {
    const fingerprint = fingerprintOf(policies);
    if (fingerprint === this.#fingerprint) {
      this.#errors = unsupported(policies);
      this.#failedFingerprint = undefined;
      return { kind: "unchanged" };
    }
    if (fingerprint === this.#failedFingerprint) return { kind: "failed", errors: this.#errors };
    try {
      this.#current = compileSet(policies);
    } catch (e) {
      const errors = compileErrors(e);
      this.#failedFingerprint = fingerprint;
      this.#errors = errors;
      return { kind: "failed", errors };
    }
    this.#fingerprint = fingerprint;
    this.#failedFingerprint = undefined;
    this.#errors = unsupported(policies);
    return { kind: "compiled", policies: policies.length };
  }
}

/** Identifies a set by what was compiled: a policy's version changes with every write. */
function fingerprintOf(policies: readonly EdgePolicy[]): string {
  return JSON.stringify(
    policies.map((p) => [p.kind, p.id, p.version, p.mode]).sort((a, b) => (a < b ? -1 : 1)),
  );
}

/** The file name a policy's module has in error locations (the control plane's too). */
const moduleFile = (p: { name: string }) => `${p.name}.rego`;

/** Each policy with the documents it owns: a Rego package, or a Wasm module's entrypoints. */
function ownedPrefixes(policies: readonly EdgePolicy[]): { policy: EdgePolicy; dotted: string }[] {
  return policies.flatMap((policy): { policy: EdgePolicy; dotted: string }[] =>
    policy.kind === "rego"
      ? [{ policy, dotted: policy.package_path }]
      : policy.entrypoints.map((e) => ({ policy, dotted: e.split("/").filter(Boolean).join(".") })),
  );
}

/** Thrown for a path owned by a policy of a kind this agent does not evaluate (yet). */
export class UnsupportedPolicyKind extends Error {
  constructor(readonly policy: EdgePolicy) {
    super(`policy "${policy.name}" is of kind ${policy.kind}, which this agent does not evaluate`);
    this.name = "UnsupportedPolicyKind";
  }
}

function compileSet(policies: readonly EdgePolicy[]): CompiledSet {
  const sorted = [...policies].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const rego = sorted.filter((p) => p.kind === "rego");
  const engine: Engine = compile(rego.map((p) => ({ file: moduleFile(p), source: p.source })));
  const prefixes = ownedPrefixes(sorted);
  return {
    policies: sorted,
    owner: (path) => policyOwningPath(prefixes, path, (p) => p.dotted)?.policy,
    evaluate(path, input) {
      const owner = this.owner(path);
      if (owner !== undefined && owner.kind !== "rego") throw new UnsupportedPolicyKind(owner);
      return evalRego(engine, path, input);
    },
  };
}

function evalRego(engine: Engine, path: string, input: unknown): PathValue {
  // As the control plane's evalAt: one segment is a dotted ref, more are a slash path.
  const ref = path.includes("/") ? path : path === "" ? "data" : `data.${path}`;
  const r = engine.evalPath(ref, input === undefined ? {} : { input });
  return r.defined ? { defined: true, value: toJSON(r.value as Value) } : { defined: false };
}

/** One status error per policy this agent receives but cannot evaluate. */
function unsupported(policies: readonly EdgePolicy[]): string[] {
  return policies.filter((p) => p.kind !== "rego").map((p) => new UnsupportedPolicyKind(p).message);
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
