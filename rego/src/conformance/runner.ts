import { compile, RegoCompileErrors } from "../index.ts";
import { RegoError } from "../errors.ts";
import { compare, equal, fromJSON, toJSON, type Value } from "../value.ts";

/** One case in the format of the shared conformance folder's README. */
export interface ConformanceCase {
  readonly note: string;
  readonly query: string;
  readonly modules?: readonly string[];
  readonly data?: unknown;
  readonly input?: unknown;
  readonly input_term?: string;
  readonly want_result?: readonly Record<string, unknown>[];
  readonly want_error_code?: string;
  readonly want_error?: string;
  readonly strict_error?: boolean;
  readonly sort_bindings?: boolean;
  readonly ignore_generated_vars?: boolean;
}

export interface CaseOutcome {
  readonly passed: boolean;
  readonly detail?: string;
}

/** A value as OPA serialises it (sets to sorted arrays, non-string keys to JSON), back as a Value. */
function normalize(v: Value): Value {
  return fromJSON(toJSON(v));
}

function sortArrays(row: Record<string, Value>): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const [k, v] of Object.entries(row)) out[k] = Array.isArray(v) ? [...v].sort(compare) : v;
  return out;
}

function rowsEqual(a: Record<string, Value>, b: Record<string, Value>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => b[k] !== undefined && equal(a[k]!, b[k]!));
}

function show(rows: readonly Record<string, Value>[]): string {
  return JSON.stringify(
    rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, toJSON(v)]))),
    (_k, v) => (typeof v === "bigint" ? v.toString() : v),
  );
}

/** Runs one case as OPA's own runner judges it. */
export function runCase(c: ConformanceCase): CaseOutcome {
  const wantsError = c.want_error_code !== undefined || c.want_error !== undefined;
  const judgeError = (e: unknown): CaseOutcome => {
    const errs =
      e instanceof RegoCompileErrors ? e.errors : e instanceof RegoError ? [e] : undefined;
    if (!errs) return { passed: false, detail: `crash: ${(e as Error)?.stack ?? String(e)}` };
    const ok =
      wantsError &&
      errs.some(
        (x) =>
          (c.want_error_code === undefined || x.code === c.want_error_code) &&
          (c.want_error === undefined ||
            `${x.location ? `${x.location.file}:${x.location.line}: ` : ""}${x.code}: ${x.message}`.includes(
              c.want_error,
            )),
      );
    const got = errs.map((x) => `${x.code}: ${x.message}`).join("; ");
    return ok ? { passed: true } : { passed: false, detail: `error ${got}` };
  };
  try {
    const modules = (c.modules ?? []).map((source, i) => ({ file: `test-${i}.rego`, source }));
    const engine = compile(modules);
    let input: unknown;
    if (c.input_term !== undefined) {
      const rows = compile([]).eval(`__x := ${c.input_term}`);
      input = rows[0]?.__x;
    } else if ("input" in c) input = c.input === null ? fromJSON(null) : c.input;
    const opts = {
      data: c.data ?? {},
      strict: c.strict_error === true,
      nowNs: BigInt(Date.now()) * 1_000_000n,
      ...(c.input_term !== undefined || "input" in c
        ? { input: input === null ? null : input }
        : {}),
    };
    const rows = engine.eval(c.query, opts);
    if (wantsError) return { passed: false, detail: `want error, got ${show(rows)}` };
    let got = rows.map((r) => {
      const out: Record<string, Value> = {};
      for (const [k, v] of Object.entries(r)) {
        if (c.ignore_generated_vars && k.startsWith("__localq")) continue;
        out[k] = normalize(v);
      }
      return out;
    });
    let want = (c.want_result ?? []).map((r) => {
      const out: Record<string, Value> = {};
      for (const [k, v] of Object.entries(r)) out[k] = fromJSON(v);
      return out;
    });
    if (c.sort_bindings) {
      got = got.map(sortArrays);
      want = want.map(sortArrays);
    }
    const ok =
      got.length === want.length &&
      got.every((g) => want.some((w) => rowsEqual(g, w))) &&
      want.every((w) => got.some((g) => rowsEqual(g, w)));
    return ok ? { passed: true } : { passed: false, detail: `got ${show(got)} want ${show(want)}` };
  } catch (e) {
    return judgeError(e);
  }
}
