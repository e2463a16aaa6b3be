/**
 * Values printed as Rego terms, as OPA's `Term.String()` prints them:
 * `sprintf("%v", [x])`, `print` and template strings use this form.
 */
import { RObject, RSet, type Value } from "../value.ts";

/** Go's `strconv.Quote`: JSON-like, but `\x..` for control bytes and `\u007f`. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (c === 7) out += "\\a";
    else if (c === 8) out += "\\b";
    else if (c === 12) out += "\\f";
    else if (c === 10) out += "\\n";
    else if (c === 13) out += "\\r";
    else if (c === 9) out += "\\t";
    else if (c === 11) out += "\\v";
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else if (c === 0xfffd && ch !== "\ufffd") out += "\\ufffd";
    else if ((c >= 0x80 && c < 0xa0) || c === 0xad || (c >= 0xd800 && c <= 0xdfff)) {
      out += `\\u${c.toString(16).padStart(4, "0")}`;
    } else out += ch;
  }
  return `${out}"`;
}

/** A number as OPA prints it: integers in full, floats in their shortest form. */
export function formatNumber(n: number | bigint): string {
  if (typeof n === "bigint") return n.toString();
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return n.toFixed(0);
  return String(n);
}

/** The Rego text of a value (`["a", 1]`, `{"k": {1, 2}}`, `set()`). */
export function formatValue(v: Value): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "boolean":
      return v ? "true" : "false";
    case "number":
    case "bigint":
      return formatNumber(v);
    case "string":
      return goQuote(v);
  }
  if (v instanceof RSet) {
    if (v.size === 0) return "set()";
    return `{${v.sorted().map(formatValue).join(", ")}}`;
  }
  if (v instanceof RObject) {
    const parts = v.sortedEntries().map(([k, x]) => `${formatValue(k)}: ${formatValue(x)}`);
    return `{${parts.join(", ")}}`;
  }
  return `[${(v as readonly Value[]).map(formatValue).join(", ")}]`;
}

/** Like {@link formatValue}, but a string prints as itself (print, template strings). */
export function formatRaw(v: Value): string {
  return typeof v === "string" ? v : formatValue(v);
}
