import { type Location, RegoError } from "../errors.ts";
import type { Token } from "../lexer/tokens.ts";

/** Keywords that are only keywords in v1 or once imported from `future.keywords`. */
export const FUTURE_KEYWORDS = ["in", "every", "if", "contains"] as const;

/** A position in the token list, with helpers that fail with positioned parse errors. */
export class Cursor {
  pos = 0;
  /** Nesting depth of terms being parsed (bounded so deep input cannot overflow the stack). */
  depth = 0;
  /** Keywords currently active (v0 modules gain `in`/`if`/... through imports). */
  readonly keywords: Set<string>;

  constructor(
    readonly tokens: readonly Token[],
    readonly source: string,
    readonly file: string,
    v0: boolean,
  ) {
    this.keywords = new Set(["not", "with", "some", "default", "else", "as", "package", "import"]);
    if (!v0) for (const k of FUTURE_KEYWORDS) this.keywords.add(k);
  }

  peek(n = 0): Token {
    return this.tokens[Math.min(this.pos + n, this.tokens.length - 1)]!;
  }

  next(): Token {
    const t = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }

  /** Punctuation test. */
  is(text: string, n = 0): boolean {
    const t = this.peek(n);
    return t.kind === "punct" && t.text === text;
  }

  /**
   * A word acting as a keyword here: a keyword written as a ref head
   * (`not.foo`, `else.bar`) is an identifier instead.
   */
  isKeyword(word: string, n = 0): boolean {
    const t = this.peek(n);
    if (t.kind !== "ident" || t.text !== word || !this.keywords.has(word)) return false;
    const after = this.peek(n + 1);
    return !(after.tight && after.kind === "punct" && after.text === "." && this.peek(n + 2).tight);
  }

  accept(text: string): Token | undefined {
    return this.is(text) ? this.next() : undefined;
  }

  expect(text: string, what = `'${text}'`): Token {
    if (!this.is(text)) this.fail(`expected ${what}`);
    return this.next();
  }

  fail(message: string, at: Location = this.peek().loc): never {
    const t = this.peek();
    const found = t.kind === "eof" ? "end of input" : `'${t.text}'`;
    const msg =
      at === t.loc && !message.startsWith("unexpected") ? `${message}, found ${found}` : message;
    throw new RegoError("rego_parse_error", msg, at);
  }

  /** A location covering from `start` to the end of the previous token. */
  span(start: Location): Location {
    const prev = this.tokens[Math.max(0, this.pos - 1)]!;
    return { ...start, end: Math.max(start.end, prev.loc.end) };
  }
}
