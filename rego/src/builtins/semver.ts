/** semver.compare and semver.is_valid (Semantic Versioning 2.0.0, no "v" prefix). */
import type { Value } from "../value.ts";
import type { BuiltinTable } from "./types.ts";
import { ANY, BOOL, def, fail, NUM, STR, str } from "./util.ts";

const IDENTIFIERS = /^[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*$/;
const INT64 = /^[+-]?\d+$/;

interface Version {
  core: [bigint, bigint, bigint];
  pre: string[];
}

/**
 * Parses as OPA's semver package (from coreos/go-semver) does: build
 * metadata after the first `+`, pre-release after the first `-`, then
 * exactly three dot-separated integers.
 */
export function parseSemver(s: string): Version | undefined {
  let rest = s;
  const plus = rest.indexOf("+");
  const meta = plus < 0 ? "" : rest.slice(plus + 1);
  if (plus >= 0) rest = rest.slice(0, plus);
  const dash = rest.indexOf("-");
  const pre = dash < 0 ? "" : rest.slice(dash + 1);
  if (dash >= 0) rest = rest.slice(0, dash);
  const parts = rest.split(".");
  if (parts.length !== 3) return undefined;
  if ((pre !== "" && !IDENTIFIERS.test(pre)) || (meta !== "" && !IDENTIFIERS.test(meta)))
    return undefined;
  if (!parts.every((p) => INT64.test(p))) return undefined;
  const core = parts.map((p) => BigInt(p)) as [bigint, bigint, bigint];
  if (core.some((n) => n >= 1n << 63n || n < -(1n << 63n))) return undefined;
  return { core, pre: pre === "" ? [] : pre.split(".") };
}

function comparePre(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) return Math.sign(Number(BigInt(a) - BigInt(b)));
  if (an) return -1;
  if (bn) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareSemver(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) {
    if (a.core[i]! !== b.core[i]!) return a.core[i]! < b.core[i]! ? -1 : 1;
  }
  if (a.pre.length === 0 || b.pre.length === 0)
    return b.pre.length - a.pre.length === 0 ? 0 : a.pre.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.min(a.pre.length, b.pre.length); i++) {
    const c = comparePre(a.pre[i]!, b.pre[i]!);
    if (c !== 0) return c;
  }
  return Math.sign(a.pre.length - b.pre.length);
}

function operand(args: readonly Value[], i: number): Version {
  const s = str("semver.compare", args, i);
  const v = parseSemver(s);
  if (!v)
    fail("semver.compare", `operand ${i + 1}: string ${JSON.stringify(s)} is not a valid SemVer`);
  return v;
}

export const semverBuiltins: BuiltinTable = [
  def("semver.compare", [STR, STR], NUM, (args) =>
    compareSemver(operand(args, 0), operand(args, 1)),
  ),
  def(
    "semver.is_valid",
    [ANY],
    BOOL,
    ([v]) => typeof v === "string" && parseSemver(v) !== undefined,
  ),
];
