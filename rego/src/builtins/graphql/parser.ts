/**
 * GraphQL query and schema parser producing gqlparser's AST shape (the Go
 * struct field names OPA serialises), with gqlparser's error behaviour: the
 * first error wins and parsing winds down without throwing.
 */
import { GqlError, kindText, Lexer, type Position, Tok, type Token, tokenText } from "./lexer.ts";

// biome-ignore lint/suspicious/noExplicitAny: AST nodes are plain JSON-like records.
export type Node = Record<string, any>;

export const ValueKind = {
  Variable: 0,
  IntValue: 1,
  FloatValue: 2,
  StringValue: 3,
  BlockValue: 4,
  BooleanValue: 5,
  NullValue: 6,
  EnumValue: 7,
  ListValue: 8,
  ObjectValue: 9,
} as const;

const LOCATIONS = new Set([
  "QUERY",
  "MUTATION",
  "SUBSCRIPTION",
  "FIELD",
  "FRAGMENT_DEFINITION",
  "FRAGMENT_SPREAD",
  "INLINE_FRAGMENT",
  "VARIABLE_DEFINITION",
  "SCHEMA",
  "SCALAR",
  "OBJECT",
  "FIELD_DEFINITION",
  "ARGUMENT_DEFINITION",
  "INTERFACE",
  "UNION",
  "ENUM",
  "ENUM_VALUE",
  "INPUT_OBJECT",
  "INPUT_FIELD_DEFINITION",
]);

class Parser {
  readonly #lexer: Lexer;
  err: GqlError | undefined;
  #peeked = false;
  #peekTok!: Token;
  #peekErr: GqlError | undefined;
  #prev: Token = { kind: Tok.Invalid, value: "", pos: { line: 1, column: 1 } };

  constructor(input: string) {
    this.#lexer = new Lexer(input);
  }

  peek(): Token {
    if (this.err) return this.#prev;
    if (!this.#peeked) {
      [this.#peekTok, this.#peekErr] = this.#lexer.read();
      this.#peeked = true;
    }
    return this.#peekTok;
  }

  peekPos(): Position | null {
    return this.err ? null : this.peek().pos;
  }

  next(): Token {
    if (this.err) return this.#prev;
    if (this.#peeked) {
      this.#peeked = false;
      this.#prev = this.#peekTok;
      this.err = this.#peekErr;
    } else {
      const [t, e] = this.#lexer.read();
      this.#prev = t;
      this.err = e;
    }
    return this.#prev;
  }

  get prev(): Token {
    return this.#prev;
  }

  error(tok: Token, message: string): void {
    if (!this.err) this.err = new GqlError(message, tok.pos.line, tok.pos.column);
  }

  unexpected(tok: Token = this.peek()): void {
    this.error(tok, `Unexpected ${tokenText(tok)}`);
  }

  expect(kind: Tok): Token {
    const tok = this.peek();
    if (tok.kind === kind) return this.next();
    this.error(tok, `Expected ${kindText(kind)}, found ${kindText(tok.kind)}`);
    return tok;
  }

  expectKeyword(word: string): Token {
    const tok = this.peek();
    if (tok.kind === Tok.Name && tok.value === word) return this.next();
    this.error(tok, `Expected ${JSON.stringify(word)}, found ${tokenText(tok)}`);
    return tok;
  }

  skip(kind: Tok): boolean {
    if (this.err || this.peek().kind !== kind) return false;
    this.next();
    return true;
  }

  many(start: Tok, end: Tok, cb: () => void): void {
    if (!this.skip(start)) return;
    while (this.peek().kind !== end && !this.err) cb();
    this.next();
  }

  some(start: Tok, end: Tok, cb: () => void): void {
    if (!this.skip(start)) return;
    let called = false;
    while (this.peek().kind !== end && !this.err) {
      called = true;
      cb();
    }
    if (!called) {
      this.error(
        this.peek(),
        `expected at least one definition, found ${kindText(this.peek().kind)}`,
      );
      return;
    }
    this.next();
  }

  name(): string {
    return this.expect(Tok.Name).value;
  }

  // ---- shared ----------------------------------------------------------

  value(isConst: boolean): Node | null {
    const tok = this.peek();
    let kind: number;
    switch (tok.kind) {
      case Tok.BracketL:
      case Tok.BraceL: {
        const list = tok.kind === Tok.BracketL;
        const pos = this.peekPos();
        const children: Node[] = [];
        this.many(tok.kind, list ? Tok.BracketR : Tok.BraceR, () => {
          if (list) children.push(child(null, this.value(isConst), null));
          else {
            const p = this.peekPos();
            const n = this.name();
            this.expect(Tok.Colon);
            children.push(child(n, this.value(isConst), p));
          }
        });
        return value(list ? ValueKind.ListValue : ValueKind.ObjectValue, "", children, pos);
      }
      case Tok.Dollar:
        if (isConst) {
          this.unexpected();
          return null;
        }
        return value(ValueKind.Variable, this.variable(), null, tok.pos);
      case Tok.Int:
        kind = ValueKind.IntValue;
        break;
      case Tok.Float:
        kind = ValueKind.FloatValue;
        break;
      case Tok.String:
        kind = ValueKind.StringValue;
        break;
      case Tok.BlockString:
        kind = ValueKind.BlockValue;
        break;
      case Tok.Name:
        kind =
          tok.value === "true" || tok.value === "false"
            ? ValueKind.BooleanValue
            : tok.value === "null"
              ? ValueKind.NullValue
              : ValueKind.EnumValue;
        break;
      default:
        this.unexpected();
        return null;
    }
    this.next();
    return value(kind, tok.value, null, tok.pos);
  }

  variable(): string {
    this.expect(Tok.Dollar);
    return this.name();
  }

  directives(isConst: boolean): Node[] | null {
    const out: Node[] = [];
    while (this.peek().kind === Tok.At) {
      if (this.err) break;
      this.expect(Tok.At);
      const Position = this.peekPos();
      const Name = this.name();
      out.push({
        Name,
        Arguments: this.arguments(isConst),
        Position,
        ParentDefinition: null,
        Definition: null,
        Location: "",
      });
    }
    return out.length ? out : null;
  }

  arguments(isConst: boolean): Node[] | null {
    const out: Node[] = [];
    this.many(Tok.ParenL, Tok.ParenR, () => {
      const Position = this.peekPos();
      const Name = this.name();
      this.expect(Tok.Colon);
      out.push({ Name, Value: this.value(isConst), Position });
    });
    return out.length ? out : null;
  }

  typeRef(): Node {
    const t: Node = { NamedType: "", Elem: null, NonNull: false, Position: null };
    if (this.skip(Tok.BracketL)) {
      t.Position = this.peekPos();
      t.Elem = this.typeRef();
      this.expect(Tok.BracketR);
    } else {
      t.Position = this.peekPos();
      t.NamedType = this.name();
    }
    if (this.skip(Tok.Bang)) {
      t.Position = this.peekPos();
      t.NonNull = true;
    }
    return t;
  }

  operationType(): string {
    const tok = this.next();
    if (tok.value === "query" || tok.value === "mutation" || tok.value === "subscription") {
      return tok.value;
    }
    this.unexpected(tok);
    return "";
  }

  directiveLocation(): string {
    const tok = this.expect(Tok.Name);
    if (LOCATIONS.has(tok.value)) return tok.value;
    this.unexpected(tok);
    return "";
  }
}

function value(
  Kind: number,
  Raw: string,
  Children: Node[] | null,
  Position: Position | null,
): Node {
  return {
    Parent: null,
    Definition: null,
    VariableDefinition: null,
    ExpectedType: null,
    ExpectedTypeHasDefault: false,
    Kind,
    Raw,
    Children: Children?.length ? Children : null,
    Position,
  };
}

function child(Name: string | null, Value: Node | null, Position: Position | null): Node {
  return Name === null ? { Name: "", Value, Position } : { Name, Value, Position };
}

export { Parser };

/** gqlparser's error text, as OPA rewrites it: `msg in GraphQL string at location L:C`. */
export function parseErrorText(e: GqlError): string {
  return `${e.message} in GraphQL string at location ${e.line}:${e.column}`;
}
