/**
 * GraphQL lexer with the token kinds, positions (runes, 1-based lines and
 * columns) and error texts of gqlparser, the library OPA uses.
 */

export enum Tok {
  Invalid,
  EOF,
  Bang,
  Dollar,
  Amp,
  ParenL,
  ParenR,
  Spread,
  Colon,
  Equals,
  At,
  BracketL,
  BracketR,
  BraceL,
  BraceR,
  Pipe,
  Name,
  Int,
  Float,
  String,
  BlockString,
}

const KIND_TEXT = [
  "<Invalid>",
  "<EOF>",
  "!",
  "$",
  "&",
  "(",
  ")",
  "...",
  ":",
  "=",
  "@",
  "[",
  "]",
  "{",
  "}",
  "|",
  "Name",
  "Int",
  "Float",
  "String",
  "BlockString",
];

export function kindText(k: Tok): string {
  return KIND_TEXT[k]!;
}

export interface Position {
  line: number;
  column: number;
}

export interface Token {
  kind: Tok;
  value: string;
  pos: Position;
}

/** gqlparser's `Token.String()`: the kind, then the quoted value if any. */
export function tokenText(t: Token): string {
  return t.value !== "" ? `${kindText(t.kind)} ${JSON.stringify(t.value)}` : kindText(t.kind);
}

export class GqlError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

const PUNCT: Record<string, Tok> = {
  "!": Tok.Bang,
  $: Tok.Dollar,
  "&": Tok.Amp,
  "(": Tok.ParenL,
  ")": Tok.ParenR,
  ":": Tok.Colon,
  "=": Tok.Equals,
  "@": Tok.At,
  "[": Tok.BracketL,
  "]": Tok.BracketR,
  "{": Tok.BraceL,
  "}": Tok.BraceR,
  "|": Tok.Pipe,
};

const isNameStart = (c: string) => /[_A-Za-z]/.test(c);
const isNameChar = (c: string) => /[_0-9A-Za-z]/.test(c);
const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";

/** Dedent a block string as the GraphQL spec says (gqlparser's blockStringValue). */
export function blockStringValue(raw: string): string {
  const lines = raw.split(/\r\n|\n|\r/);
  let common = -1;
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!;
    const indent = l.length - l.replace(/^[ \t]+/, "").length;
    if (indent < l.length && (common === -1 || indent < common)) common = indent;
  }
  if (common > 0) for (let i = 1; i < lines.length; i++) lines[i] = lines[i]!.slice(common);
  const blank = (l: string) => /^[ \t]*$/.test(l);
  while (lines.length > 0 && blank(lines[0]!)) lines.shift();
  while (lines.length > 0 && blank(lines[lines.length - 1]!)) lines.pop();
  return lines.join("\n");
}

export class Lexer {
  // Work on code points so columns count runes, as gqlparser does.
  readonly #src: string[];
  #end = 0;
  #line = 1;
  #lineStart = 0;

  constructor(input: string) {
    this.#src = Array.from(input);
  }

  #tok(kind: Tok, value: string, start: number): Token {
    return { kind, value, pos: { line: this.#line, column: start - this.#lineStart + 1 } };
  }

  #error(message: string): GqlError {
    return new GqlError(message, this.#line, this.#end - this.#lineStart + 1);
  }

  #ws(): void {
    const s = this.#src;
    while (this.#end < s.length) {
      const c = s[this.#end]!;
      if (c === "\t" || c === " " || c === "," || c === "\ufeff") this.#end++;
      else if (c === "\n" || c === "\r") {
        this.#end++;
        if (c === "\r" && s[this.#end] === "\n") this.#end++;
        this.#line++;
        this.#lineStart = this.#end;
      } else if (c === "#") {
        while (this.#end < s.length && s[this.#end] !== "\n" && s[this.#end] !== "\r") this.#end++;
      } else return;
    }
  }

  /** The next token, or an Invalid token and the error that made it. */
  read(): [Token, GqlError | undefined] {
    this.#ws();
    const s = this.#src;
    const start = this.#end;
    if (start >= s.length) return [this.#tok(Tok.EOF, "", start), undefined];
    const c = s[start]!;
    const p = PUNCT[c];
    if (p !== undefined) {
      this.#end++;
      return [this.#tok(p, "", start), undefined];
    }
    if (c === "." && s[start + 1] === "." && s[start + 2] === ".") {
      this.#end += 3;
      return [this.#tok(Tok.Spread, "", start), undefined];
    }
    try {
      if (isNameStart(c)) {
        let e = start + 1;
        while (e < s.length && isNameChar(s[e]!)) e++;
        this.#end = e;
        return [this.#tok(Tok.Name, s.slice(start, e).join(""), start), undefined];
      }
      if (c === "-" || isDigit(c)) return [this.#number(start), undefined];
      if (c === '"') {
        if (s[start + 1] === '"' && s[start + 2] === '"') return [this.#block(start), undefined];
        return [this.#string(start), undefined];
      }
      const code = c.codePointAt(0)!;
      if (code < 0x20 && c !== "\t" && c !== "\n" && c !== "\r") {
        throw this.#error(
          `Cannot contain the invalid character "\\u${code.toString().padStart(4, "0")}"`,
        );
      }
      if (c === "'") {
        throw this.#error(
          `Unexpected single quote character ('), did you mean to use a double quote (")?`,
        );
      }
      throw this.#error(`Cannot parse the unexpected character "${c}".`);
    } catch (e) {
      if (!(e instanceof GqlError)) throw e;
      return [{ kind: Tok.Invalid, value: "", pos: { line: e.line, column: e.column } }, e];
    }
  }

  #number(start: number): Token {
    const s = this.#src;
    let e = start;
    let float = false;
    const digits = () => {
      const from = e;
      while (isDigit(s[e])) e++;
      return e - from;
    };
    const next = () => (e < s.length ? `"${s[e]}"` : "<EOF>");
    const fail = (msg: string): never => {
      this.#end = e;
      throw this.#error(msg);
    };
    if (s[e] === "-") e++;
    if (s[e] === "0") {
      e++;
      if (isDigit(s[e])) fail(`Invalid number, unexpected digit after 0: ${next()}.`);
    } else if (digits() === 0) fail(`Invalid number, expected digit but got: ${next()}.`);
    if (s[e] === ".") {
      float = true;
      e++;
      if (digits() === 0) fail(`Invalid number, expected digit but got: ${next()}.`);
    }
    if (s[e] === "e" || s[e] === "E") {
      float = true;
      e++;
      if (s[e] === "-" || s[e] === "+") e++;
      if (digits() === 0) fail(`Invalid number, expected digit but got: ${next()}.`);
    }
    this.#end = e;
    return this.#tok(float ? Tok.Float : Tok.Int, s.slice(start, e).join(""), start);
  }

  #string(start: number): Token {
    const s = this.#src;
    let e = start + 1;
    let out = "";
    const fail = (msg: string, at: number): never => {
      this.#end = at;
      throw this.#error(msg);
    };
    while (e < s.length) {
      const c = s[e]!;
      if (c === "\n" || c === "\r") break;
      const code = c.codePointAt(0)!;
      if (code < 0x20 && c !== "\t") {
        fail(`Invalid character within String: "\\u${code.toString().padStart(4, "0")}".`, e);
      }
      if (c === '"') {
        this.#end = e + 1;
        // gqlparser positions a string after its opening quote.
        return this.#tok(Tok.String, out, start + 1);
      }
      if (c !== "\\") {
        out += c;
        e++;
        continue;
      }
      const esc = s[e + 1];
      if (esc === undefined) fail("Invalid character escape sequence.", e + 1);
      if (esc === "u") {
        const hex = s.slice(e + 2, e + 6).join("");
        if (e + 6 >= s.length)
          fail(`Invalid character escape sequence: \\${s.slice(e + 1).join("")}.`, e + 1);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
          fail(`Invalid character escape sequence: \\${s.slice(e + 1, e + 6).join("")}.`, e + 1);
        }
        out += String.fromCharCode(Number.parseInt(hex, 16));
        e += 6;
        continue;
      }
      const simple: Record<string, string> = {
        '"': '"',
        "/": "/",
        "\\": "\\",
        b: "\b",
        f: "\f",
        n: "\n",
        r: "\r",
        t: "\t",
      };
      if (!(esc! in simple)) fail(`Invalid character escape sequence: \\${esc}.`, e + 1);
      out += simple[esc!];
      e += 2;
    }
    return fail("Unterminated string.", e);
  }

  #block(start: number): Token {
    const s = this.#src;
    let e = start + 3;
    let raw = "";
    while (e < s.length) {
      const c = s[e]!;
      if (c === '"' && s[e + 1] === '"' && s[e + 2] === '"') {
        this.#end = e + 3;
        // gqlparser positions a block string on its last line, after the opening quotes.
        return this.#tok(Tok.BlockString, blockStringValue(raw), start + 3);
      }
      const code = c.codePointAt(0)!;
      if (code < 0x20 && c !== "\t" && c !== "\n" && c !== "\r") {
        this.#end = e;
        throw this.#error(
          `Invalid character within String: "\\u${code.toString().padStart(4, "0")}".`,
        );
      }
      if (c === "\\" && s[e + 1] === '"' && s[e + 2] === '"' && s[e + 3] === '"') {
        raw += '"""';
        e += 4;
      } else if (c === "\r" || c === "\n") {
        if (c === "\r" && s[e + 1] === "\n") e++;
        raw += "\n";
        e++;
        this.#line++;
        this.#lineStart = e;
      } else {
        raw += c;
        e++;
      }
    }
    this.#end = e;
    throw this.#error("Unterminated string.");
  }
}
