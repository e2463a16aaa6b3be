import type { Module } from "../ast/nodes.ts";
import { getBuiltin } from "../builtins/index.ts";
import { compilePolicy } from "../compile/compiler.ts";
import { RegoError } from "../errors.ts";
import { Engine, type ModuleSource, parseModules, RegoCompileErrors } from "../index.ts";

export interface TestResult {
  readonly name: string;
  readonly package: string;
  readonly passed: boolean;
  /** Set when the test raised an error (not just evaluated false/undefined). */
  readonly error?: RegoError;
  /** `todo_test_*` rules are reported but not run. */
  readonly skipped?: boolean;
  readonly durationNs: number;
}

export interface RunTestsOptions {
  readonly data?: unknown;
  readonly v0?: boolean;
  /** Only tests whose `package.name` contains this text. */
  readonly filter?: string;
  readonly print?: (line: string) => void;
}

// performance exists in Node and workerd alike.
const now = (): number => performance.now();

/**
 * Runs every `test_*` rule like `opa test`: a test passes when it is defined
 * and not `false`. Throws `RegoCompileErrors` when the modules do not compile.
 */
export function runTests(
  modules: readonly ModuleSource[] | Record<string, string>,
  options: RunTestsOptions = {},
): TestResult[] {
  const parsed = parseModules(modules, options.v0 ? { v0: true } : {});
  if (parsed.errors.length > 0) throw new RegoCompileErrors(parsed.errors);
  const tests = renameDuplicateTests(parsed.modules);
  const engine = new Engine(compilePolicy(tests, getBuiltin));
  const results: TestResult[] = [];
  const seen = new Set<string>();
  for (const m of tests) {
    const pkg = m.pkg.join(".");
    for (const r of m.rules) {
      const head = r.head.ref[0];
      if (head?.type !== "var" || r.head.args || r.head.ref.length > 1) continue;
      const name = head.name;
      const todo = name.startsWith("todo_test_");
      if (!name.startsWith("test_") && !todo) continue;
      const id = `${pkg}.${name}`;
      if (seen.has(id) || (options.filter && !id.includes(options.filter))) continue;
      seen.add(id);
      if (todo) {
        results.push({ name, package: `data.${pkg}`, passed: false, skipped: true, durationNs: 0 });
        continue;
      }
      const start = now();
      try {
        const opts = {
          data: options.data ?? {},
          ...(options.print ? { print: options.print } : {}),
        };
        const r = engine.evalPath(`${[...m.pkg, name].join("/")}`, opts);
        const durationNs = Math.round((now() - start) * 1e6);
        results.push({
          name,
          package: `data.${pkg}`,
          passed: r.defined && r.value !== false,
          durationNs,
        });
      } catch (e) {
        const durationNs = Math.round((now() - start) * 1e6);
        const error = e instanceof RegoError ? e : new RegoError("eval_internal_error", String(e));
        results.push({ name, package: `data.${pkg}`, passed: false, error, durationNs });
      }
    }
  }
  return results;
}

/**
 * Like `opa test`, a test declared more than once in a package is several
 * tests, not one rule whose bodies are OR-ed: the second `test_x` becomes
 * `test_x#01`, the third `test_x#02`, each run and reported on its own.
 */
function renameDuplicateTests(modules: readonly Module[]): Module[] {
  const count = new Map<string, number>();
  return modules.map((m) => {
    let renamed = false;
    const rules = m.rules.map((r) => {
      const head = r.head.ref[0];
      if (head?.type !== "var" || !head.name.startsWith("test_")) return r;
      const key = [...m.pkg, head.name].join("/");
      const k = count.get(key) ?? 0;
      count.set(key, k + 1);
      if (k === 0) return r;
      renamed = true;
      const name = `${head.name}#${String(k).padStart(2, "0")}`;
      return { ...r, head: { ...r.head, ref: [{ ...head, name }, ...r.head.ref.slice(1)] } };
    });
    return renamed ? { ...m, rules } : m;
  });
}
