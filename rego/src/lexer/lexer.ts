import { type Location, RegoError } from "../errors.ts";
import type { TemplatePart, Token, TokenKind } from "./tokens.ts";

/** A `#` comment, kept for METADATA blocks. */
export interface Comment {
  readonly text: string;
  readonly loc: Location;
}

export interface LexResult {
  readonly tokens: Token[];
  readonly comments: Comment[];
}

const PUNCT3: readonly string[] = [];
const PUNCT2 = [":=", "==", "!=", "<=", ">="];
const PUNCT1 = "{}[]().,;:=<>+-*/%&|";

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Splits Rego source into tokens. Every token carries its location; the first
 * malformed character raises a positioned `rego_parse_error`.
 * `base` shifts offsets when lexing an embedded template expression.
 */
export function lex(src: string, file = "", base = 0, baseLine = 1, baseCol = 1): LexResult {
  const tokens: Token[] = [];
  const comments: Comment[] = [];
  let i = base;
  let line = baseLine;
  let lineStart = base - (baseCol - 1);
  let nl = false;
  let tight = true;
  const end = src.length;

  const loc = (start: number, stop: number, l = line, ls = lineStart): Location => ({
    file,
    line: l,
    col: start - ls + 1,
    start,
    end: stop,
  });
  const fail = (msg: string, at: number): never => {
    throw new RegoError("rego_parse_error", msg, loc(at, at + 1));
  };
  const push = (kind: TokenKind, text: string, start: number, extra?: Partial<Token>) => {
    tokens.push({ kind, text, loc: loc(start, i), nl, tight, ...extra });
    nl = false;
    tight = true;
  };

  while (i < end) {
    const c = src.charCodeAt(i);
    if (c === 10) {
      i++;
      line++;
      lineStart = i;
      nl = true;
      tight = false;
      continue;
    }
    if (c === 32 || c === 9 || c === 13) {
      i++;
      tight = false;
      continue;
    }
    if (c === 35) {
      const start = i;
      while (i < end && src.charCodeAt(i) !== 10) i++;
      comments.push({ text: src.slice(start + 1, i), loc: loc(start, i) });
      tight = false;
      continue;
    }
    const start = i;
    if (isIdentStart(c)) {
      while (i < end && isIdentPart(src.charCodeAt(i))) i++;
      push("ident", src.slice(start, i), start);
      continue;
    }
    if (isDigit(c)) {
      i = scanNumber(src, i, fail);
      push("number", src.slice(start, i), start);
      continue;
    }
    if (c === 34) {
      const [text, next] = scanString(src, i, fail);
      i = next;
      push("string", text, start);
      continue;
    }
    if (c === 96) {
      const close = src.indexOf("`", i + 1);
      if (close < 0) fail("non-terminated raw string", start);
      const text = src.slice(i + 1, close);
      const startLine = line;
      const startLineStart = lineStart;
      for (let j = i + 1; j < close; j++) {
        if (src.charCodeAt(j) === 10) {
          line++;
          lineStart = j + 1;
        }
      }
      i = close + 1;
      tokens.push({
        kind: "string",
        text,
        loc: loc(start, i, startLine, startLineStart),
        nl,
        tight,
        raw: true,
      });
      nl = false;
      tight = true;
      continue;
    }
    if (c === 36 && (src.charCodeAt(i + 1) === 34 || src.charCodeAt(i + 1) === 96)) {
      const startLine = line;
      const startLineStart = lineStart;
      const [parts, next] = scanTemplate(src, i + 1, fail);
      for (let j = i; j < next; j++) {
        if (src.charCodeAt(j) === 10) {
          line++;
          lineStart = j + 1;
        }
      }
      i = next;
      tokens.push({
        kind: "template",
        text: src.slice(start, i),
        loc: loc(start, i, startLine, startLineStart),
        nl,
        tight,
        parts,
      });
      nl = false;
      tight = true;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (PUNCT2.includes(two) || PUNCT3.includes(two)) {
      i += 2;
      push("punct", two, start);
      continue;
    }
    if (PUNCT1.includes(src[i]!)) {
      i++;
      push("punct", src[start]!, start);
      continue;
    }
    fail(`illegal token '${src[i]}'`, i);
  }
  tokens.push({ kind: "eof", text: "", loc: loc(i, i), nl: true, tight: false });
  return { tokens, comments };
}

function scanNumber(src: string, i: number, fail: (m: string, at: number) => never): number {
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
export function scanString(
  src: string,
  i: number,
  fail: (m: string, at: number) => never,
  template = false,
): [string, number] {
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
function scanTemplate(
  src: string,
  i: number,
  fail: (m: string, at: number) => never,
): [TemplatePart[], number] {
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
      if (src[i + 1] === "{") {
        lit += "{";
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
function skipExpression(src: string, i: number, fail: (m: string, at: number) => never): number {
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
