import {
  compile,
  type Engine,
  type ModuleSource,
  parseModules,
  RegoCompileErrors,
  RegoError,
  runTests,
  toJSON,
  type Value,
} from "@tether/rego";

/** A Rego error as the API reports it: OPA's code and a 1-based position. */
export interface PositionedError {
  code: string;
  message: string;
  file: string;
  line: number;
  col: number;
}

export function positioned(e: RegoError): PositionedError {
  const loc = e.location;
  return {
    code: e.code,
    message: e.message,
    file: loc?.file ?? "",
    line: loc?.line ?? 0,
    col: loc?.col ?? 0,
  };
}

/** The positioned errors of a failed parse/compile, or undefined when `e` is something else. */
export function regoErrorsOf(e: unknown): PositionedError[] | undefined {
  if (e instanceof RegoCompileErrors) return e.errors.map(positioned);
  if (e instanceof RegoError) return [positioned(e)];
  return undefined;
}

/** The file name a policy's module has in error locations. */
export const moduleFile = (name: string) => `${name}.rego`;
export const testsFile = (name: string) => `${name}_test.rego`;

export interface Checked {
  /** `tether.sandbox` for `package tether.sandbox`; "" when the source does not parse. */
  packagePath: string;
  errors: PositionedError[];
}

/** Parses and compiles one module (and its tests, when given): every error, positioned. */
export function checkModule(file: string, source: string, tests?: ModuleSource): Checked {
  const parsed = parseModules([{ file, source }]);
  const packagePath = parsed.modules[0]?.pkg.join(".") ?? "";
  if (parsed.errors.length > 0) return { packagePath, errors: parsed.errors.map(positioned) };
  try {
    compile(tests ? [{ file, source }, tests] : [{ file, source }]);
    return { packagePath, errors: [] };
  } catch (e) {
    const errors = regoErrorsOf(e);
    if (!errors) throw e;
    return { packagePath, errors };
  }
}

export interface FailedTest {
  name: string;
  package: string;
  error: string | null;
}

/** Runs the `test_*` rules of `tests` against the policy; the failing ones (skipped ones do not fail). */
export function failingTests(file: string, source: string, testsSource: string, name: string) {
  const results = runTests([
    { file, source },
    { file: testsFile(name), source: testsSource },
  ]);
  const failed: FailedTest[] = results
    .filter((r) => !r.passed && !r.skipped)
    .map((r) => ({ name: r.name, package: r.package, error: r.error ? r.error.message : null }));
  return { ran: results.filter((r) => !r.skipped).length, failed };
}

/** `data.tether.sandbox.allow`, `tether/sandbox/allow` or `/tether/sandbox/allow` → `tether/sandbox/allow`. */
export { normalizeDataPath as normalizePath } from "@tether/schema/wire";

export interface PathValue {
  defined: boolean;
  /** The value as plain JSON (sets become sorted arrays); absent when undefined. */
  value?: unknown;
}

/** Evaluates a normalized path (`""` = the whole data document). */
export function evalAt(engine: Engine, path: string, input: unknown): PathValue {
  const r = engine.evalPath(path.includes("/") ? path : path === "" ? "data" : `data.${path}`, {
    input,
  });
  return r.defined ? { defined: true, value: toJSON(r.value as Value) } : { defined: false };
}

/** A decision's outcome as one text: `undefined` or the value's canonical JSON. */
export function outcomeKey(r: PathValue): string {
  return r.defined ? JSON.stringify(r.value) : "undefined";
}
