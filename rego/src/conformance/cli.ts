import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseJSON } from "./json.ts";
import { type ConformanceCase, runCase } from "./runner.ts";
import { getBuiltin } from "../builtins/index.ts";
import { type SkipEntry, skipList } from "./skip-list.ts";

/** An entry applies unless the builtin it waits for exists by now. */
function skipped(entry: SkipEntry | undefined): boolean {
  if (!entry) return false;
  return entry.untilBuiltin === undefined || getBuiltin(entry.untilBuiltin) === undefined;
}

/** `/work/main/rego/src/conformance` → repo root `/work/main` → `/work/shared/opa-conformance/v1`. */
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "../../..");
export const defaultDir = resolve(repoRoot, "../shared/opa-conformance/v1");

export interface Tally {
  passed: number;
  failed: number;
  skipped: number;
}

export interface RunSummary {
  total: Tally;
  directories: Record<string, Tally>;
  failures: { note: string; detail: string }[];
}

/** Runs every case below `dir` (one level of directories of JSON files). */
export function runDirectory(
  dir: string,
  filter?: string,
  only?: readonly string[],
  checkSkips = false,
): RunSummary {
  const total: Tally = { passed: 0, failed: 0, skipped: 0 };
  const directories: Record<string, Tally> = {};
  const failures: { note: string; detail: string }[] = [];
  for (const d of readdirSync(dir).sort()) {
    if (only && !only.includes(d)) continue;
    const tally: Tally = { passed: 0, failed: 0, skipped: 0 };
    for (const f of readdirSync(join(dir, d))
      .filter((x) => x.endsWith(".json"))
      .sort()) {
      const doc = parseJSON(readFileSync(join(dir, d, f), "utf8")) as { cases: ConformanceCase[] };
      for (const c of doc.cases) {
        if (filter && !c.note.includes(filter)) continue;
        if (skipped(skipList.directories[d]) || skipped(skipList.cases[c.note])) {
          tally.skipped++;
          if (checkSkips && runCase(c).passed) {
            failures.push({
              note: c.note,
              detail: "skipped but passes: remove it from the skip list",
            });
          }
          continue;
        }
        const r = runCase(c);
        if (r.passed) tally.passed++;
        else {
          tally.failed++;
          failures.push({ note: c.note, detail: r.detail ?? "" });
        }
      }
    }
    if (tally.passed + tally.failed + tally.skipped === 0) continue;
    directories[d] = tally;
    total.passed += tally.passed;
    total.failed += tally.failed;
    total.skipped += tally.skipped;
  }
  return { total, directories, failures };
}

function main(argv: string[]): number {
  let dir = defaultDir;
  let jsonPath = resolve(repoRoot, "rego/conformance-summary.json");
  let verbose = false;
  let filter: string | undefined;
  let checkSkips = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--json") jsonPath = resolve(argv[++i] ?? jsonPath);
    else if (a === "--verbose" || a === "-v") verbose = true;
    else if (a === "--filter") filter = argv[++i];
    else if (a === "--check-skips") checkSkips = true;
    else dir = resolve(a);
  }
  const s = runDirectory(dir, filter, undefined, checkSkips);
  for (const [d, t] of Object.entries(s.directories)) {
    console.log(`${d.padEnd(40)} pass ${t.passed}  fail ${t.failed}  skip ${t.skipped}`);
  }
  if (verbose)
    for (const f of s.failures) console.log(`FAIL ${f.note}\n  ${f.detail.slice(0, 600)}`);
  writeFileSync(
    jsonPath,
    `${JSON.stringify({ total: s.total, directories: s.directories }, null, 2)}\n`,
  );
  console.log(`${s.total.passed} passed, ${s.total.failed} failed, ${s.total.skipped} skipped`);
  return s.total.failed > 0 ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
