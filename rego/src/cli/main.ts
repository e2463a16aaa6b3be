#!/usr/bin/env -S npx tsx
/**
 * `tether-rego eval|test|check`, a small stand-in for the `opa` CLI.
 *
 *   tether-rego eval -d policy/ [-i input.json] [--v0-compatible] 'data.app.allow'
 *   tether-rego test policy/ [-v] [--v0-compatible] [--run FILTER]
 *   tether-rego check policy/ [--v0-compatible]
 */
import { readFileSync } from "node:fs";
import { check, compile, RegoCompileErrors, stringifyJSON } from "../index.ts";
import { RObject } from "../value.ts";
import { runTests } from "../test-runner/run-tests.ts";
import { loadPaths } from "./files.ts";

interface Args {
  cmd: string;
  positional: string[];
  dataPaths: string[];
  input: string | undefined;
  v0: boolean;
  verbose: boolean;
  filter: string | undefined;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    cmd: argv[0] ?? "",
    positional: [],
    dataPaths: [],
    input: undefined,
    v0: false,
    verbose: false,
    filter: undefined,
  };
  for (let i = 1; i < argv.length; i++) {
    const x = argv[i]!;
    if (x === "-d" || x === "--data") a.dataPaths.push(argv[++i] ?? "");
    else if (x === "-i" || x === "--input") a.input = argv[++i];
    else if (x === "--v0-compatible") a.v0 = true;
    else if (x === "-v" || x === "--verbose") a.verbose = true;
    else if (x === "--run" || x === "-r") a.filter = argv[++i];
    else a.positional.push(x);
  }
  return a;
}

function sourceOf(
  modules: { file?: string; source: string }[],
  file: string | undefined,
): string | undefined {
  return modules.find((m) => m.file === file)?.source;
}

function cmdEval(a: Args): number {
  const { modules, data } = loadPaths(a.dataPaths);
  const query = a.positional[0];
  if (!query) {
    console.error("usage: tether-rego eval -d PATH [-i input.json] QUERY");
    return 2;
  }
  const engine = compile(modules, { v0: a.v0 });
  const input = a.input ? JSON.parse(readFileSync(a.input, "utf8")) : undefined;
  const rows = engine.eval(query, {
    data,
    ...(input !== undefined ? { input } : {}),
    print: (l) => console.error(l),
  });
  // stringifyJSON prints big integers exactly (JSON.stringify cannot)
  const result = RObject.fromRecord({ result: rows.map((r) => RObject.fromRecord(r)) });
  console.log(stringifyJSON(result));
  return 0;
}

function cmdTest(a: Args): number {
  const { modules, data } = loadPaths(a.positional.length ? a.positional : ["."]);
  const results = runTests(modules, { data, v0: a.v0, ...(a.filter ? { filter: a.filter } : {}) });
  let pass = 0;
  let fail = 0;
  let errors = 0;
  for (const r of results) {
    const id = `${r.package}.${r.name}`;
    if (r.skipped) {
      if (a.verbose) console.log(`${id}: SKIPPED`);
      continue;
    }
    if (r.error) {
      errors++;
      console.log(
        `${id}: ERROR (${(r.durationNs / 1e6).toFixed(3)}ms)\n  ${r.error.render(sourceOf(modules, r.error.location?.file))}`,
      );
    } else if (r.passed) {
      pass++;
      if (a.verbose) console.log(`${id}: PASS (${(r.durationNs / 1e6).toFixed(3)}ms)`);
    } else {
      fail++;
      console.log(`${id}: FAIL (${(r.durationNs / 1e6).toFixed(3)}ms)`);
    }
  }
  console.log("-".repeat(80));
  console.log(
    `PASS: ${pass}/${pass + fail + errors}${fail ? `\nFAIL: ${fail}/${pass + fail + errors}` : ""}${errors ? `\nERROR: ${errors}/${pass + fail + errors}` : ""}`,
  );
  return fail + errors > 0 ? 2 : 0;
}

function cmdCheck(a: Args): number {
  const { modules } = loadPaths(a.positional.length ? a.positional : ["."]);
  const errors = check(modules, { v0: a.v0 });
  for (const e of errors) console.error(e.render(sourceOf(modules, e.location?.file)));
  if (errors.length)
    console.error(`${errors.length} error${errors.length > 1 ? "s" : ""} occurred`);
  return errors.length > 0 ? 1 : 0;
}

function main(argv: string[]): number {
  const a = parseArgs(argv);
  try {
    if (a.cmd === "eval") return cmdEval(a);
    if (a.cmd === "test") return cmdTest(a);
    if (a.cmd === "check") return cmdCheck(a);
  } catch (e) {
    if (e instanceof RegoCompileErrors) {
      for (const x of e.errors) console.error(x.render());
      return 1;
    }
    console.error(e instanceof Error ? e.message : String(e));
    return 1;
  }
  console.error("usage: tether-rego eval|test|check ...");
  return 2;
}

process.exitCode = main(process.argv.slice(2));
