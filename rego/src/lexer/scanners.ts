import { isDigit, isIdentStart } from "./chars.ts";
import type { TemplatePart } from "./tokens.ts";

/** Reports a malformed literal at an offset. */
export type Fail = (m: string, at: number) => never;

export function scanNumber(src: string, i: number, fail: Fail): number {
  const start = i;
  while (isDigit(src.charCodeAt(i))) i++;
  if (src[i] === "." && isDigit(src.charCodeAt(i + 1))) {
    i++;
    while (isDigit(src.charCodeAt(i))) i++;
  }
  if (src[i] === "e" || src[i] === "E") {
    let j = i + 1;
    if (src[j] === "+" || src[j] === "-") j++;
    if (!isDigit(src.charCodeAt(j))) fail("invalid number", start);
    i = j;
    while (isDigit(src.charCodeAt(i))) i++;
  }
  if (isIdentStart(src.charCodeAt(i))) fail("invalid number", start);
  return i;
}

const ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

/** Scans a JSON-style double-quoted string starting at the quote; returns [decoded, next]. */
export function scanString(src: string, i: number, fail: Fail, template = false): [string, number] {
  const start = i;
  i++;
  let out = "";
  for (;;) {
    if (i >= src.length) fail("non-terminated string", start);
    const ch = src[i]!;
    if (ch === '"') return [out, i + 1];
    if (ch === "\n") fail("non-terminated string", start);
    if (ch === "\\") {
      const e = src[i + 1] ?? "";
      if (e === "u") {
        const hex = src.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("invalid escape sequence", i);
        out += String.fromCharCode(Number.parseInt(hex, 16));
        i += 6;
        continue;
      }
      if (template && e === "{") {
        out += "{";
        i += 2;
        continue;
      }
      const m = ESCAPES[e];
      if (m === undefined) fail("invalid escape sequence", i);
      out += m;
      i += 2;
      continue;
    }
    out += ch;
    i++;
  }
}

/**
 * Scans a template string body starting at its opening quote or backtick.
 * Embedded `{expr}` become source ranges (re-lexed by the parser); nested
 * strings and braces inside an expression are skipped over.
 */
export function scanTemplate(src: string, i: number, fail: Fail): [TemplatePart[], number] {
  const quote = src[i]!;
  const start = i;
  const parts: TemplatePart[] = [];
  let lit = "";
  i++;
  for (;;) {
    if (i >= src.length) fail("non-terminated template string", start);
    const ch = src[i]!;
    if (ch === quote) break;
    if (quote === '"' && ch === "\n") fail("non-terminated template string", start);
    if (ch === "\\") {
      // `\{` and `\}` are literal braces in both template forms
      if (src[i + 1] === "{" || src[i + 1] === "}") {
        lit += src[i + 1];
        i += 2;
        continue;
      }
      if (quote === "`") {
        lit += ch;
        i++;
        continue;
      }
      const e = src[i + 1] ?? "";
      if (e === "u") {
        const hex = src.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("invalid escape sequence", i);
        lit += String.fromCharCode(Number.parseInt(hex, 16));
        i += 6;
        continue;
      }
      const m = ESCAPES[e];
      if (m === undefined) fail("invalid escape sequence", i);
      lit += m;
      i += 2;
      continue;
    }
    if (ch === "{") {
      if (lit) parts.push(lit);
      lit = "";
      const exprStart = i + 1;
      i = skipExpression(src, exprStart, fail);
      parts.push({ start: exprStart, end: i });
      i++;
      continue;
    }
    lit += ch;
    i++;
  }
  if (lit) parts.push(lit);
  return [parts, i + 1];
}

/** Returns the offset of the `}` closing an embedded template expression. */
function skipExpression(src: string, i: number, fail: Fail): number {
  let depth = 0;
  const start = i;
  while (i < src.length) {
    const ch = src[i]!;
    if (ch === '"') {
      i = scanString(src, i, fail)[1];
      continue;
    }
    if (ch === "`") {
      const close = src.indexOf("`", i + 1);
      if (close < 0) fail("non-terminated raw string", i);
      i = close + 1;
      continue;
    }
    if (ch === "$" && (src[i + 1] === '"' || src[i + 1] === "`")) {
      i = scanTemplate(src, i + 1, fail)[1];
      continue;
    }
    if (ch === "{") depth++;
    if (ch === "}") {
      if (depth === 0) return i;
      depth--;
    }
    i++;
  }
  return fail("non-terminated template expression", start);
}
