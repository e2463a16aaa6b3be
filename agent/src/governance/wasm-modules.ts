import { readdirSync, readFileSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import type { EdgeWasmPolicy } from "@tether/schema/wire";
import type { Logger } from "../log.ts";
import { writeFileAtomic } from "../state/files.ts";
import type { LoadOptions } from "./compiled-set.ts";
import { loadWasmPolicy, type WasmPolicy, WasmPolicyError } from "./wasm-policy.ts";

/** Where the agent keeps Wasm modules: `<data_dir>/policies/wasm/<sha256>.wasm`. */
export const wasmModulesDir = (dataDir: string) => join(dataDir, "policies", "wasm");

const MODULE_FILE = /^[0-9a-f]{64}\.wasm$/;
/** What writeFileAtomic leaves behind when the agent dies mid-write. */
const TEMP_FILE = /^\..*\.tmp$/;

export interface WasmModulesOptions {
  /** {@link wasmModulesDir} of the agent's data dir. */
  dir: string;
  /** The module's bytes from the control plane, checked against `policy.sha256` (fetchWasmModule). */
  fetch: (policy: EdgeWasmPolicy, signal: AbortSignal) => Promise<Uint8Array>;
  log: Logger;
}

/**
 * The Wasm modules of the node's policies, by SHA-256: loaded once per
 * hash, kept on disk (0600, written atomically) once they loaded, so the
 * local endpoint answers from them without the control plane, also after a
 * restart. A module is fetched only when neither memory nor disk has it.
 *
 * @example
 * const modules = new WasmModules({ dir: wasmModulesDir(dataDir), fetch: (p, signal) => fetchWasmModule({ …, signal }), log });
 * const policy = await modules.load(edgePolicy, { signal, fetch: true });
 * policy.evaluate("tether/authz/allow", input);
 */
export class WasmModules {
  readonly #o: WasmModulesOptions;
  readonly #loaded = new Map<string, Promise<WasmPolicy>>();
  /** Hashes being loaded now: {@link retain} leaves them alone. */
  readonly #loading = new Set<string>();

  constructor(opts: WasmModulesOptions) {
    this.#o = opts;
  }

  /**
   * The policy's module, loaded. Throws WasmPolicyError: `fetch` and
   * `integrity` failures are forgotten (the next call tries again); a
   * module opa-wasm refuses (`load`) is refused again without a fetch.
   * With `fetch: false` a module neither in memory nor on disk fails (`fetch`).
   */
  load(policy: EdgeWasmPolicy, opts: LoadOptions): Promise<WasmPolicy> {
    const { sha256 } = policy;
    const known = this.#loaded.get(sha256);
    if (known) return known;
    const loading = this.#loadOnce(policy, opts);
    this.#loaded.set(sha256, loading);
    this.#loading.add(sha256);
    loading.then(
      () => this.#loading.delete(sha256),
      (e: unknown) => {
        this.#loading.delete(sha256);
        const refused = e instanceof WasmPolicyError && e.stage === "load";
        if (!refused && this.#loaded.get(sha256) === loading) this.#loaded.delete(sha256);
      },
    );
    return loading;
  }

  /** Forgets, and deletes from disk, every module whose hash is not in `keep` (nor loading). */
  retain(keep: ReadonlySet<string>): void {
    const kept = (sha256: string) => keep.has(sha256) || this.#loading.has(sha256);
    for (const sha256 of this.#loaded.keys()) {
      if (!kept(sha256)) this.#loaded.delete(sha256);
    }
    let names: string[];
    try {
      names = readdirSync(this.#o.dir);
    } catch {
      return; // Nothing kept yet.
    }
    for (const name of names) {
      const stale = MODULE_FILE.test(name) ? !kept(name.slice(0, 64)) : TEMP_FILE.test(name);
      if (!stale) continue;
      try {
        unlinkSync(join(this.#o.dir, name));
      } catch (e) {
        this.#o.log.warn("cannot delete an unused Wasm module", { file: name, error: e as Error });
      }
    }
  }

  async #loadOnce(policy: EdgeWasmPolicy, opts: LoadOptions): Promise<WasmPolicy> {
    const file = join(this.#o.dir, `${policy.sha256}.wasm`);
    const kept = readIfThere(file);
    if (kept) {
      try {
        return await loadWasmPolicy(kept, policy.sha256);
      } catch (e) {
        if (!(e instanceof WasmPolicyError && e.stage === "integrity")) throw e;
        this.#o.log.warn("a kept Wasm module is damaged: fetching it again", {
          file,
          error: e.message,
        });
        unlinkSync(file);
      }
    }
    if (!opts.fetch) {
      throw new WasmPolicyError(
        "fetch",
        "the module is not kept on disk; it is fetched once the control plane answers",
      );
    }
    const bytes = await this.#o.fetch(policy, opts.signal);
    const loaded = await loadWasmPolicy(bytes, policy.sha256);
    try {
      writeFileAtomic(file, bytes, 0o600);
    } catch (e) {
      // It still answers; only a restart without the control plane would miss it.
      this.#o.log.error("cannot keep a Wasm module on disk", { file, error: e as Error });
    }
    return loaded;
  }
}

function readIfThere(file: string): Uint8Array | undefined {
  try {
    return readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}
