import { OPA_WASM_SOURCE, OPA_WASM_VERSION } from "./opa-wasm.source.ts";

/** A compiled policy module, named by its SHA-256; the bytes are read only when needed. */
export interface WasmModuleRef {
  /** Lowercase hex SHA-256 of the bytes. */
  sha256: string;
  bytes(): Promise<Uint8Array<ArrayBuffer>>;
}

/** What opa-wasm found in a module it instantiated. */
export interface WasmDescription {
  /** Entrypoint name → id, from the module's `entrypoints()`. */
  entrypoints: Record<string, number>;
  /** `opa_wasm_abi_minor_version` (ABI 1.x), null when the module exports none. */
  abiMinorVersion: number | null;
}

/** A module that does not load (`load`) or an evaluation that fails (`eval`), with opa-wasm's reason. */
export class WasmPolicyError extends Error {
  constructor(
    readonly stage: "load" | "eval",
    message: string,
  ) {
    super(message);
    this.name = "WasmPolicyError";
  }
}

/**
 * Runs OPA-compiled Wasm policies with @open-policy-agent/opa-wasm. workerd
 * refuses to compile Wasm bytes at run time inside a Worker, so the real
 * runner (`loaderRunner`) evaluates each module in a Dynamic Worker of its
 * own, where the bytes are a module compiled when the isolate starts.
 */
export interface WasmRunner {
  /** Instantiates the module; its entrypoints. Throws WasmPolicyError("load"). */
  describe(module: WasmModuleRef): Promise<WasmDescription>;
  /** OPA's result set (`[{result: …}]`, `[]` when undefined). Throws WasmPolicyError. */
  evaluate(module: WasmModuleRef, entrypoint: string, input: unknown): Promise<unknown[]>;
}

/**
 * The main module of each Dynamic Worker: one policy module, loaded once per
 * isolate with opa-wasm, answering over RPC. Input and result cross as JSON
 * text; the input reaches opa-wasm as bytes, so `false` or `0` is an input
 * like any other (opa-wasm would read those as "no input" as JS values).
 */
const EVALUATOR = `
import { WorkerEntrypoint } from "cloudflare:workers";
import opa from "./opa-wasm.js";
import compiled from "./policy.wasm";

let loading;
function policy() {
  loading ??= opa.loadPolicy(compiled).catch((e) => {
    loading = undefined;
    throw e;
  });
  return loading;
}
const reason = (e) => (e instanceof Error ? e.message : typeof e === "string" ? e : JSON.stringify(e));

export default class OpaWasmEvaluator extends WorkerEntrypoint {
  async describe() {
    try {
      const p = await policy();
      return { ok: true, entrypoints: p.entrypoints, abiMinorVersion: p.minorVersion ?? null };
    } catch (e) {
      return { ok: false, stage: "load", error: reason(e) };
    }
  }

  async evaluate(entrypoint, inputJson) {
    let p;
    try {
      p = await policy();
    } catch (e) {
      return { ok: false, stage: "load", error: reason(e) };
    }
    try {
      const input = inputJson === null ? undefined : new TextEncoder().encode(inputJson).buffer;
      return { ok: true, resultSet: JSON.stringify(p.evaluate(input, entrypoint)) };
    } catch (e) {
      return { ok: false, stage: "eval", error: reason(e) };
    }
  }
}
`;

/** Bump when EVALUATOR changes, so no isolate with the old code is reused. */
const EVALUATOR_VERSION = 1;

type Answer<T> = ({ ok: true } & T) | { ok: false; stage: "load" | "eval"; error: string };

interface EvaluatorRpc {
  describe(): Promise<Answer<WasmDescription>>;
  evaluate(entrypoint: string, inputJson: string | null): Promise<Answer<{ resultSet: string }>>;
}

/** The Dynamic Worker id of a module: its hash plus what runs it, so isolates are reused only for the same code. */
export const isolateId = (sha256: string) =>
  `opa-wasm@${OPA_WASM_VERSION}/evaluator-v${EVALUATOR_VERSION}/${sha256}`;

/**
 * A WasmRunner over a Worker Loader binding (wrangler.toml `worker_loaders`).
 * Isolates are cached by the loader per id (the module's SHA-256): a warm one
 * answers without reading the bytes again.
 */
export function loaderRunner(loader: WorkerLoader, compatibilityDate: string): WasmRunner {
  const evaluator = (module: WasmModuleRef): EvaluatorRpc => {
    const worker = loader.get(isolateId(module.sha256), async () => {
      const bytes = await module.bytes();
      return {
        compatibilityDate,
        mainModule: "evaluator.js",
        modules: {
          "evaluator.js": EVALUATOR,
          "opa-wasm.js": OPA_WASM_SOURCE,
          "policy.wasm": {
            wasm: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
          },
        },
        // A policy has no business on the network.
        globalOutbound: null,
      } as WorkerLoaderWorkerCode;
    });
    return worker.getEntrypoint() as unknown as EvaluatorRpc;
  };

  /** A module that fails to compile fails the isolate's start: that is a load error too. */
  async function call<T>(run: () => Promise<Answer<T>>): Promise<T> {
    let answer: Answer<T>;
    try {
      answer = await run();
    } catch (e) {
      throw new WasmPolicyError("load", e instanceof Error ? e.message : String(e));
    }
    if (!answer.ok) throw new WasmPolicyError(answer.stage, answer.error);
    return answer;
  }

  return {
    async describe(module) {
      const { entrypoints, abiMinorVersion } = await call(() => evaluator(module).describe());
      return { entrypoints, abiMinorVersion };
    },
    async evaluate(module, entrypoint, input) {
      const inputJson = input === undefined ? null : JSON.stringify(input);
      const { resultSet } = await call(() => evaluator(module).evaluate(entrypoint, inputJson));
      return JSON.parse(resultSet) as unknown[];
    },
  };
}
