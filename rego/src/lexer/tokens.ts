import type { Location } from "../errors.ts";

/** Token kinds. Keywords are lexed as `ident`; the parser decides by context. */
export type TokenKind = "ident" | "number" | "string" | "template" | "punct" | "eof";

/** One piece of a template string: literal text or an embedded expression's source range. */
export type TemplatePart = string | { start: number; end: number };

export interface Token {
  readonly kind: TokenKind;
  /** Source text (identifier name, punctuation, number text); decoded value for strings. */
  readonly text: string;
  readonly loc: Location;
  /** A line break separates this token from the previous one. */
  readonly nl: boolean;
  /** No whitespace before this token (e.g. `a.b`, `f(`). */
  readonly tight: boolean;
  /** For strings: true when it was a raw (backtick) string. */
  readonly raw?: boolean;
  readonly parts?: readonly TemplatePart[];
}

/** Words that are keywords in Rego v1 (in v0 only when imported from future.keywords). */
export const KEYWORDS = new Set([
  "package",
  "import",
  "as",
  "default",
  "else",
  "not",
  "with",
  "some",
  "every",
  "in",
  "if",
  "contains",
  "true",
  "false",
  "null",
]);
