/** semver.compare and semver.is_valid (Semantic Versioning 2.0.0, no "v" prefix). */
import type { Value } from "../value.ts";
import type { BuiltinTable } from "./types.ts";
import { ANY, BOOL, def, fail, NUM, STR, str } from "./util.ts";

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

interface Version {
  core: [bigint, bigint, bigint];
  pre: string[];
}

export function parseSemver(s: string): Version | undefined {
  const m = SEMVER.exec(s);
  if (!m) return undefined;
  return { core: [BigInt(m[1]!), BigInt(m[2]!), BigInt(m[3]!)], pre: m[4] ? m[4].split(".") : [] };
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
