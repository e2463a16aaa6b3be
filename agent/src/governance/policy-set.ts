import type { EdgePolicy } from "@tether/schema/wire";
import { buildSet, type CompiledSet, SetNotLoaded, type WasmLoader } from "./compiled-set.ts";

export type { CompiledSet, LoadOptions, PathValue, WasmLoader } from "./compiled-set.ts";

/** What {@link PolicySet.update} did. */
export type UpdateOutcome =
  | { kind: "unchanged" }
  | { kind: "compiled"; policies: number }
  /**
   * The new set cannot answer: the previous one keeps answering.
   * `retryable`: it may load later (a Wasm module the control plane did not
   * hand over); otherwise the same set is not tried again.
   */
  | { kind: "failed"; errors: string[]; retryable: boolean }
  /** A newer update (or {@link PolicySet.cancel}) came first: this set was dropped. */
  | { kind: "superseded" };

/**
 * The policies this node enforces, compiled (Rego) and loaded (Wasm).
 * {@link update} rebuilds only when the set changed (a policy added,
 * removed, or at another version or mode); until the new set is ready, and
 * when it fails, the previous one keeps answering. A failure is reported
 * through {@link errors} until a later set loads.
 *
 * Updates run one at a time, in order; one whose set is no longer the
 * newest asked for (when it starts, and when it has loaded) is dropped, so
 * the last set asked for is the one that ends up answering.
 *
 * @example
 * const set = new PolicySet((policy, opts) => modules.load(policy, opts));
 * await set.update(state.rego_policies);
 * set.current?.evaluate("tether/sandbox/allow", { syscall_name: "read" }); // { defined: true, value: true }
 */
export class PolicySet {
  readonly #loadWasm: WasmLoader | undefined;
  #current: CompiledSet | undefined;
  #fingerprint: string | undefined;
  /** The fingerprint of the last set that failed for good, so it is not tried again and again. */
  #failedFingerprint: string | undefined;
  #errors: string[] = [];
  /** The fingerprint of the newest set asked for: an update of another set is dropped. */
  #wanted: string | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #abort = new AbortController();

  /** `loadWasm` gives a Wasm policy's module; without it a Wasm policy fails to load. */
  constructor(loadWasm?: WasmLoader) {
    this.#loadWasm = loadWasm;
  }

  /** The set answering now; undefined before the first set loaded. */
  get current(): CompiledSet | undefined {
    return this.#current;
  }

  /** Why the newest set is not the one answering (empty when it is). */
  get errors(): readonly string[] {
    return this.#errors;
  }

  /**
   * Resolves once this set answers, failed, or was overtaken; never rejects
   * for a bad set. `fetch: false` loads only modules kept in memory or on
   * disk (a module missing there fails, retryably).
   */
  update(policies: readonly EdgePolicy[], opts: { fetch?: boolean } = {}): Promise<UpdateOutcome> {
    const fingerprint = fingerprintOf(policies);
    this.#wanted = fingerprint;
    const fetch = opts.fetch ?? true;
    const run = this.#queue.then(() => this.#apply(policies, fingerprint, fetch));
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Drops queued updates and aborts module fetches under way (the agent stops). */
  async cancel(): Promise<void> {
    this.#wanted = undefined;
    this.#abort.abort(new Error("policy loading cancelled"));
    this.#abort = new AbortController();
    await this.#queue;
  }

  async #apply(
    policies: readonly EdgePolicy[],
    fingerprint: string,
    fetch: boolean,
  ): Promise<UpdateOutcome> {
    if (fingerprint !== this.#wanted) return { kind: "superseded" };
    if (fingerprint === this.#fingerprint) {
      this.#errors = [];
      this.#failedFingerprint = undefined;
      return { kind: "unchanged" };
    }
    if (fingerprint === this.#failedFingerprint) {
      return { kind: "failed", errors: [...this.#errors], retryable: false };
    }
    let built: CompiledSet;
    try {
      built = await buildSet(policies, this.#loadWasm, { signal: this.#abort.signal, fetch });
    } catch (e) {
      if (fingerprint !== this.#wanted) return { kind: "superseded" };
      if (!(e instanceof SetNotLoaded)) throw e;
      if (!e.retryable) this.#failedFingerprint = fingerprint;
      this.#errors = e.errors;
      return { kind: "failed", errors: e.errors, retryable: e.retryable };
    }
    if (fingerprint !== this.#wanted) return { kind: "superseded" };
    this.#current = built;
    this.#fingerprint = fingerprint;
    this.#failedFingerprint = undefined;
    this.#errors = [];
    return { kind: "compiled", policies: policies.length };
  }
}

/** Identifies a set by what was loaded: a policy's version changes with every write. */
function fingerprintOf(policies: readonly EdgePolicy[]): string {
  return JSON.stringify(
    policies
      .map((p) => [p.kind, p.id, p.version, p.mode, p.kind === "wasm" ? p.sha256 : ""])
      .sort((a, b) => (a < b ? -1 : 1)),
  );
}
