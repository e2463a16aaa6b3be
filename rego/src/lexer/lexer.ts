import { type Location, RegoError } from "../errors.ts";
import { isDigit, isIdentPart, isIdentStart } from "./chars.ts";
import { scanNumber, scanString, scanTemplate } from "./scanners.ts";
import type { Token, TokenKind } from "./tokens.ts";

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
