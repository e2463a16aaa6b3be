/**
 * glob.match with the semantics of gobwas/glob as OPA uses it: `*` stops at
 * delimiters, `**` does not, `?` is one non-delimiter character, `[...]`,
 * `[!...]`, `{a,b}` alternatives and `\` escapes. Delimiters `[]` default to
 * `["."]`; `null` means none.
 */
import { OperandTypeError } from "../errors.ts";
import { typeName, type Value } from "../value.ts";
import type { BuiltinTable } from "./types.ts";
import { BOOL, def, elementError, fail, STR, str } from "./util.ts";

const escapeRe = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");

function classOf(delims: readonly string[]): string {
  return delims.map((d) => escapeRe(d)).join("");
}

/** Translates a glob into a regular expression source. */
function globToRegex(glob: string, delims: readonly string[]): string {
  const notDelim = delims.length > 0 ? `[^${classOf(delims)}]` : "[\\s\\S]";
  const cps = [...glob];
  let out = "";
  let depth = 0;
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i]!;
    if (c === "\\") {
      i++;
      if (i >= cps.length) throw new Error("unexpected end of input");
      out += escapeRe(cps[i]!);
    } else if (c === "*") {
      if (cps[i + 1] === "*") {
        out += "[\\s\\S]*";
        i++;
      } else out += `${notDelim}*`;
    } else if (c === "?") {
      out += notDelim;
    } else if (c === "[") {
      let j = i + 1;
      let cls = "[";
      if (cps[j] === "!") {
        cls += "^";
        j++;
      }
      const start = j;
      while (j < cps.length && (cps[j] !== "]" || j === start)) {
        const x = cps[j]!;
        if (x === "-" && j > start && cps[j + 1] !== "]") cls += "-";
        else cls += escapeRe(x === "\\" ? (cps[++j] ?? "\\") : x);
        j++;
      }
      if (j >= cps.length) throw new Error("unexpected end of input");
      out += `${cls}]`;
      i = j;
    } else if (c === "{") {
      depth++;
      out += "(?:";
    } else if (c === "}" && depth > 0) {
      depth--;
      out += ")";
    } else if (c === "," && depth > 0) {
      out += "|";
    } else out += escapeRe(c);
  }
  if (depth > 0) throw new Error("unexpected end of input");
  return `^${out}$`;
}

/** OPA's RuneSliceOperand: an array of one-character strings; `null` means none. */
function delimiters(args: readonly Value[]): string[] {
  const d = args[1] as Value;
  if (d === null) return [];
  if (!Array.isArray(d)) {
    throw new OperandTypeError(
      `glob.match: operand 2 must be one of {array, null} but got ${typeName(d)}`,
    );
  }
  const items = d as readonly Value[];
  if (items.length === 0) return ["."];
  return items.map((x) => {
    if (typeof x !== "string") elementError("glob.match", 2, d, x, "string");
    if ([...x].length !== 1) {
      throw new OperandTypeError(
        "glob.match: operand 2 must be array of runes but got array containing string",
      );
    }
    return x;
  });
}

/**
 * The cache key of a well-formed delimiter operand without building the
 * delimiter array: `undefined` when the operand needs the full check (or is
 * malformed, so the error comes from `delimiters`).
 */
function delimKey(d: Value): string | undefined {
  if (d === null) return "";
  if (!Array.isArray(d)) return undefined;
  const items = d as readonly Value[];
  if (items.length === 0) return ".";
  let key = "";
  for (let i = 0; i < items.length; i++) {
    const x = items[i];
    // one UTF-16 unit that is not half of a surrogate pair: exactly one rune
    if (typeof x !== "string" || x.length !== 1) return undefined;
    const c = x.charCodeAt(0);
    if (c >= 0xd800 && c <= 0xdfff) return undefined;
    key = i === 0 ? x : `${key}\u0000${x}`;
  }
  return key;
}

/**
 * A pattern's compiled matchers by delimiter key, and the one used last at
 * hand (a policy passes one delimiter list: one Map lookup per call).
 */
interface Compiled {
  readonly byDelims: Map<string, RegExp>;
  lastKey: string;
  lastRe: RegExp;
}

/** Compiled matchers by pattern; bounded, cleared when full. */
const compiled = new Map<string, Compiled>();
let compiledCount = 0;
const MAX_COMPILED = 5000;

function compile(pattern: string, key: string, delims: readonly string[]): RegExp {
  let entry = compiled.get(pattern);
  let re = entry?.byDelims.get(key);
  if (re) return re;
  try {
    re = new RegExp(globToRegex(pattern, delims), "u");
  } catch (e) {
    return fail("glob.match", e instanceof Error ? e.message : String(e));
  }
  if (compiledCount >= MAX_COMPILED) {
    compiled.clear();
    compiledCount = 0;
    entry = undefined;
  }
  if (!entry) {
    entry = { byDelims: new Map(), lastKey: key, lastRe: re };
    compiled.set(pattern, entry);
  }
  entry.byDelims.set(key, re);
  entry.lastKey = key;
  entry.lastRe = re;
  compiledCount++;
  return re;
}

/** The last delimiter operand seen and its key: policies pass one constant array over and over. */
let lastDelims: Value | undefined;
let lastDelimKey: string | undefined;

function match(args: readonly Value[]): boolean {
  const pattern = str("glob.match", args, 0);
  const d = args[1] as Value;
  if (d !== lastDelims) {
    // values are immutable: the same array gives the same key
    lastDelimKey = delimKey(d);
    lastDelims = d;
  }
  const fastKey = lastDelimKey;
  if (fastKey !== undefined) {
    const text = str("glob.match", args, 2);
    const entry = compiled.get(pattern);
    if (entry !== undefined) {
      if (entry.lastKey === fastKey) return entry.lastRe.test(text);
      const re = entry.byDelims.get(fastKey);
      if (re) {
        entry.lastKey = fastKey;
        entry.lastRe = re;
        return re.test(text);
      }
    }
  }
  const delims = delimiters(args);
  const text = str("glob.match", args, 2);
  const key = delims.join("\u0000");
  return compile(pattern, key, delims).test(text);
}

export const globBuiltins: BuiltinTable = [
  def("glob.match", [STR, { oneOf: [{ array: STR }, "null"] }, STR], BOOL, match),
  def("glob.quote_meta", [STR], STR, (args) =>
    str("glob.quote_meta", args, 0).replace(/[*?\\[\]{}]/g, "\\$&"),
  ),
];
