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

const compiled = new Map<string, RegExp>();

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

function match(args: readonly Value[]): boolean {
  const pattern = str("glob.match", args, 0);
  const delims = delimiters(args);
  const text = str("glob.match", args, 2);
  const key = `${pattern}\u0000${delims.join("\u0000")}`;
  let re = compiled.get(key);
  if (!re) {
    try {
      re = new RegExp(globToRegex(pattern, delims), "u");
    } catch (e) {
      return fail("glob.match", e instanceof Error ? e.message : String(e));
    }
    if (compiled.size > 5000) compiled.clear();
    compiled.set(key, re);
  }
  return re.test(text);
}

export const globBuiltins: BuiltinTable = [
  def("glob.match", [STR, { oneOf: [{ array: STR }, "null"] }, STR], BOOL, match),
  def("glob.quote_meta", [STR], STR, (args) =>
    str("glob.quote_meta", args, 0).replace(/[*?\\[\]{}]/g, "\\$&"),
  ),
];
