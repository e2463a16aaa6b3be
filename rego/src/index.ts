/**
 * tether's Rego engine: parse, compile once, evaluate many times. Runs in
 * workerd and Node (no Node-only APIs).
 *
 * @example
 * import { compile } from "@tether/rego";
 * const engine = compile({ "policy.rego": "package app\nallow if input.user == \"admin\"" });
 * engine.evalPath("data.app.allow", { input: { user: "admin" } }); // { defined: true, value: true }
 * engine.eval("x := data.app.allow", { input: { user: "bob" } }); // []
 */
import type { Module } from "./ast/nodes.ts";
import { getBuiltin } from "./builtins/index.ts";
import type { BuiltinContext } from "./builtins/types.ts";
import { type CompiledPolicy, compilePolicy, RegoCompileErrors } from "./compile/compiler.ts";
import { type CompiledQuery, compileQueryBody, runQuery } from "./compile/query.ts";
import { compileGlobalRef } from "./compile/refs.ts";
import { RegoError } from "./errors.ts";
import { lazyJSON, plainRecord } from "./eval/json-input.ts";
import { newEnv, newStamp, type Query, type TermFn } from "./eval/types.ts";
import { parseModule, parseQuery } from "./parser/module.ts";
import { RObject, type Value } from "./value.ts";

export { RegoCompileErrors } from "./compile/compiler.ts";
export { RegoError } from "./errors.ts";
export { type RunTestsOptions, runTests, type TestResult } from "./test-runner/run-tests.ts";
export type { Value } from "./value.ts";
export { fromJSON, stringifyJSON, toJSON } from "./value.ts";

/** A module's source and the file name used in error locations. */
export interface ModuleSource {
  readonly path?: string;
  readonly file?: string;
  readonly source: string;
}

export interface CompileOptions {
  /** Parse modules as Rego v0 (like OPA's `--v0-compatible`). */
  readonly v0?: boolean;
  /**
   * Read input paths through functions generated for them (default: true).
   * Used only where the runtime allows code generation from strings (Node;
   * workerd refuses it), and never from policy text: only input member
   * names go into the generated source, as JSON string literals.
   */
  readonly codegen?: boolean;
}

export interface EvalOptions {
  /** The input document (a plain JSON value or a Rego value). Absent: undefined. */
  readonly input?: unknown;
  /** The base data document. */
  readonly data?: unknown;
  /** Builtin errors are errors instead of undefined. */
  readonly strict?: boolean;
  /** `time.now_ns` for this evaluation (default: the clock). */
  readonly nowNs?: bigint;
  /** Receives `print` output (default: dropped). */
  readonly print?: (line: string) => void;
}

export interface PathResult {
  readonly defined: boolean;
  readonly value?: Value;
}

const EMPTY = new RObject();
/** A path ref binds no variables. */
const NO_SLOTS = newEnv(0);
const MEMO_LIMIT = 512;

/** Plain JSON is wrapped, not copied: a decision reads few input fields. */
function toValue(x: unknown): Value {
  return lazyJSON(x);
}

const noPrint = () => {};

/** A JS stack overflow (runaway data) as a RegoError; other errors as they are. */
function stackError(e: unknown): unknown {
  if (e instanceof RangeError) {
    return new RegoError("eval_internal_error", `evaluation exceeded the stack: ${e.message}`);
  }
  return e;
}

/** Runs an evaluation, turning a JS stack overflow into a RegoError. */
function guarded(run: () => unknown): void {
  try {
    run();
  } catch (e) {
    throw stackError(e);
  }
}

const UNDEFINED: PathResult = Object.freeze({ defined: false });

/**
 * Per-query builtin context; the clock and the memo are only made when used.
 * It is also the query's `track` (both are shared by every `with` below the
 * query): one object made per query, not two.
 */
class QueryContext implements BuiltinContext {
  #nowNs: bigint | undefined;
  #cache: Map<string, unknown> | undefined;
  /** `Query.track.impure`. */
  impure: boolean;

  constructor(
    readonly strict: boolean,
    nowNs: bigint | undefined,
  ) {
    this.#nowNs = nowNs;
    this.impure = false;
  }

  get nowNs(): bigint {
    this.#nowNs ??= BigInt(Date.now()) * 1_000_000n;
    return this.#nowNs;
  }

  get cache(): Map<string, unknown> {
    this.#cache ??= new Map();
    return this.#cache;
  }

  randomBytes(n: number): Uint8Array {
    return crypto.getRandomValues(new Uint8Array(n));
  }
}

function normalize(modules: readonly ModuleSource[] | Record<string, string>): ModuleSource[] {
  if (Array.isArray(modules)) return modules as ModuleSource[];
  return Object.entries(modules).map(([file, source]) => ({ file, source }));
}

/** Parses every module, collecting parse errors. */
export function parseModules(
  modules: readonly ModuleSource[] | Record<string, string>,
  options: CompileOptions = {},
): { modules: Module[]; errors: RegoError[] } {
  const out: Module[] = [];
  const errors: RegoError[] = [];
  for (const m of normalize(modules)) {
    const file = m.file ?? m.path ?? "";
    try {
      out.push(parseModule(m.source, file, options.v0 ? { v0: true } : {}));
    } catch (e) {
      if (e instanceof RegoError) errors.push(e);
      else throw e;
    }
  }
  return { modules: out, errors };
}

/** A compiled set of modules, ready to evaluate queries. */
export class Engine {
  readonly #queries = new Map<string, CompiledQuery>();
  readonly #paths = new Map<string, TermFn>();
  #lastPath: string | undefined;
  #lastFn: TermFn | undefined;

  /** The data object input-independent values were computed with, and its generation. */
  #constData: unknown;
  #gen = 0;

  constructor(readonly policy: CompiledPolicy) {}

  /** A new generation whenever a query brings other base data than the last one. */
  #constGen(data: unknown): number {
    if (data !== this.#constData) {
      this.#constData = data;
      this.#gen++;
    }
    return this.#gen;
  }

  #query(opts: EvalOptions): Query {
    const data = opts.data === undefined ? EMPTY : toValue(opts.data);
    const strict = opts.strict === true;
    const bctx = new QueryContext(strict, opts.nowNs);
    return {
      // wrapped when first needed whole: input paths read the JSON directly
      input: undefined,
      inputJSON: opts.input,
      inputRecord: plainRecord(opts.input),
      data,
      hasData: data !== EMPTY && (!(data instanceof RObject) || data.size > 0),
      constGen: this.#constGen(opts.data),
      track: bctx,
      consts: true,
      stamp: newStamp(),
      fnOverrides: undefined,
      masked: undefined,
      bctx,
      strict,
      print: opts.print ?? noPrint,
      depth: 0,
    };
  }

  /**
   * Evaluates a query; returns one binding object per solution (`[]` =
   * undefined). Throws a `RegoError`: `rego_parse_error` / compile codes for
   * a bad query, `eval_conflict_error`, and builtin errors when `strict`.
   */
  eval(query: string, opts: EvalOptions = {}): Record<string, Value>[] {
    let cq = this.#queries.get(query);
    if (!cq) {
      cq = compileQueryBody(this.policy, parseQuery(query));
      // compiled queries are memoised; bounded, since queries may come from requests
      if (this.#queries.size >= MEMO_LIMIT) this.#queries.clear();
      this.#queries.set(query, cq);
    }
    const rows: Record<string, Value>[] = [];
    const q = this.#query(opts);
    guarded(() =>
      runQuery(q, cq, (r) => {
        rows.push(r);
        return false;
      }),
    );
    return rows;
  }

  /** The compiled ref of a document path (the last one asked for is at hand). */
  #pathFn(path: string): TermFn {
    if (path === this.#lastPath && this.#lastFn) return this.#lastFn;
    let fn = this.#paths.get(path);
    if (!fn) {
      const segs = path.includes("/") ? path.split("/").filter(Boolean) : path.split(".");
      if (segs[0] === "data") segs.shift();
      fn = compileGlobalRef(this.policy.cx, { root: "data", path: segs }, []);
      if (this.#paths.size >= MEMO_LIMIT) this.#paths.clear();
      this.#paths.set(path, fn);
    }
    this.#lastPath = path;
    this.#lastFn = fn;
    return fn;
  }

  /** Fast path: the value of one document, `data.pkg.rule` or `pkg/rule`. */
  evalPath(path: string, opts: EvalOptions = {}): PathResult {
    const fn = this.#pathFn(path);
    const q = this.#query(opts);
    let value: Value | undefined;
    try {
      const get = fn.get;
      value = get ? get(q, NO_SLOTS) : firstValue(fn, q);
    } catch (e) {
      throw stackError(e);
    }
    return value === undefined ? UNDEFINED : { defined: true, value };
  }
}

/**
 * A term's first value. Apart from `evalPath`: a closure there would make
 * V8 allocate a context for its variables on every call.
 */
function firstValue(fn: TermFn, q: Query): Value | undefined {
  let value: Value | undefined;
  fn(q, NO_SLOTS, (v) => {
    value = v;
    return true;
  });
  return value;
}

/**
 * Parses and compiles modules. Throws `RegoCompileErrors` (with `.errors`)
 * listing every parse or compile error.
 */
export function compile(
  modules: readonly ModuleSource[] | Record<string, string>,
  options: CompileOptions = {},
): Engine {
  const parsed = parseModules(modules, options);
  if (parsed.errors.length > 0) throw new RegoCompileErrors(parsed.errors);
  return new Engine(compilePolicy(parsed.modules, getBuiltin, options.codegen !== false));
}

/** Checks modules for errors without keeping the result (for a validate endpoint). */
export function check(
  modules: readonly ModuleSource[] | Record<string, string>,
  options: CompileOptions = {},
): RegoError[] {
  try {
    compile(modules, options);
    return [];
  } catch (e) {
    if (e instanceof RegoCompileErrors) return [...e.errors];
    throw e;
  }
}
