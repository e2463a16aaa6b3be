/** 100k-input parser fuzz run: `npx tsx bench/rego/fuzz.ts [n] [seed]`. */
import { fuzzParser } from "../../rego/src/parser/fuzz.ts";

const n = Number(process.argv[2] ?? 100_000);
const seed = Number(process.argv[3] ?? 7);
const start = performance.now();
const { crashes, errors } = fuzzParser(n, seed);
const ms = performance.now() - start;
console.log(
  `${n} inputs, ${errors} positioned parse errors, ${crashes.length} crashes, ${ms.toFixed(0)} ms`,
);
for (const c of crashes.slice(0, 5)) console.log(JSON.stringify(c));
process.exitCode = crashes.length > 0 ? 1 : 0;
