import type { Expr, Term } from "../ast/nodes.ts";
import type { Location } from "../errors.ts";
import { lex } from "../lexer/lexer.ts";
import { parseBody, parseLiteral } from "./body.ts";
import { Cursor } from "./cursor.ts";

const RELATIONS: Record<string, string> = {
  "==": "equal",
  "!=": "neq",
  "<": "lt",
  ">": "gt",
  "<=": "lte",
  ">=": "gte",
};
const ARITH: Record<string, string> = { "+": "plus", "-": "minus" };
const FACTOR: Record<string, string> = { "*": "mul", "/": "div", "%": "rem" };

/** Options threaded through term parsing. */
export interface TermCtx {
  /** Inside the first element of `[` / `{`: `|` starts a comprehension, not a union. */
  noOr?: boolean;
  /** A comma here may start `k, v in xs` (literal level, parentheses). */
  pairIn?: boolean;
}

function opCall(name: string, args: Term[], loc: Location): Term {
  return { type: "call", fn: { type: "var", name, loc }, args, loc };
}

/** Expression level: `a in b` (lowest infix precedence). */
export function parseTermIn(c: Cursor, ctx: TermCtx = {}): Term {
  let lhs = parseRelation(c, ctx);
  if (ctx.pairIn && c.is(",") && !c.peek().nl) {
    // `k, v in xs`: only where a comma cannot separate list items
    const save = c.pos;
    c.next();
    const value = parseRelation(c, ctx);
    if (c.isKeyword("in")) {
      c.next();
      const domain = parseRelation(c, ctx);
      lhs = opCall("internal.member_3", [lhs, value, domain], c.span(lhs.loc));
    } else {
      c.pos = save;
    }
  }
  while (c.isKeyword("in")) {
    c.next();
    const rhs = parseRelation(c, ctx);
    lhs = opCall("internal.member_2", [lhs, rhs], c.span(lhs.loc));
  }
  return lhs;
}

export function parseRelation(c: Cursor, ctx: TermCtx = {}): Term {
  let lhs = parseOr(c, ctx);
  for (;;) {
    const t = c.peek();
    const op = t.kind === "punct" ? RELATIONS[t.text] : undefined;
    if (!op) return lhs;
    c.next();
    const rhs = parseOr(c, ctx);
    lhs = opCall(op, [lhs, rhs], c.span(lhs.loc));
  }
}

function parseOr(c: Cursor, ctx: TermCtx): Term {
  let lhs = parseAnd(c, ctx);
  while (!ctx.noOr && c.is("|")) {
    c.next();
    const rhs = parseAnd(c, ctx);
    lhs = opCall("or", [lhs, rhs], c.span(lhs.loc));
  }
  return lhs;
}

function parseAnd(c: Cursor, ctx: TermCtx): Term {
  let lhs = parseArith(c, ctx);
  while (c.is("&")) {
    c.next();
    const rhs = parseArith(c, ctx);
    lhs = opCall("and", [lhs, rhs], c.span(lhs.loc));
  }
  return lhs;
}

function parseArith(c: Cursor, ctx: TermCtx): Term {
  let lhs = parseFactor(c, ctx);
  for (;;) {
    const t = c.peek();
    const op = t.kind === "punct" ? ARITH[t.text] : undefined;
    if (!op) return lhs;
    c.next();
    const rhs = parseFactor(c, ctx);
    lhs = opCall(op, [lhs, rhs], c.span(lhs.loc));
  }
}

function parseFactor(c: Cursor, _ctx: TermCtx): Term {
  let lhs = parseTerm(c);
  for (;;) {
    const t = c.peek();
    const op = t.kind === "punct" ? FACTOR[t.text] : undefined;
    if (!op) return lhs;
    c.next();
    const rhs = parseTerm(c);
    lhs = opCall(op, [lhs, rhs], c.span(lhs.loc));
  }
}

/** Parses a number literal's text: exact `bigint` for integers beyond 2^53. */
export function parseNumber(text: string): number | bigint {
  if (/^-?\d+$/.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : BigInt(text);
  }
  return Number(text);
}

const MAX_DEPTH = 512;

/** A single term with its ref/call suffixes. */
export function parseTerm(c: Cursor): Term {
  if (++c.depth > MAX_DEPTH) c.fail("term nesting is too deep");
  try {
    return parseTermInner(c);
  } finally {
    c.depth--;
  }
}

function parseTermInner(c: Cursor): Term {
  const t = c.peek();
  let term: Term;
  if (t.kind === "number") {
    c.next();
    term = { type: "scalar", value: parseNumber(t.text), loc: t.loc };
  } else if (t.kind === "string") {
    c.next();
    term = { type: "scalar", value: t.text, loc: t.loc };
  } else if (t.kind === "template") {
    c.next();
    term = parseTemplate(c, t.parts ?? [], t.loc);
  } else if (t.kind === "punct" && t.text === "-") {
    c.next();
    const n = c.peek();
    if (n.kind === "number" && n.tight) {
      c.next();
      const v = parseNumber(`-${n.text}`);
      term = { type: "scalar", value: Object.is(v, -0) ? 0 : v, loc: c.span(t.loc) };
    } else {
      const operand = parseTerm(c);
      const zero: Term = { type: "scalar", value: 0, loc: t.loc };
      return opCall("minus", [zero, operand], c.span(t.loc));
    }
  } else if (t.kind === "ident") {
    term = parseIdentTerm(c);
  } else if (t.kind === "punct" && t.text === "(") {
    c.next();
    term = parseTermIn(c, { pairIn: true });
    c.expect(")");
  } else if (t.kind === "punct" && t.text === "[") {
    term = parseArray(c);
  } else if (t.kind === "punct" && t.text === "{") {
    term = parseBraces(c);
  } else {
    c.fail("unexpected token, expected term");
  }
  return parseSuffixes(c, term);
}

function parseIdentTerm(c: Cursor): Term {
  const t = c.next();
  const dotted = c.is(".") && c.peek().tight;
  if (!dotted) {
    if (t.text === "true" || t.text === "false") {
      return { type: "scalar", value: t.text === "true", loc: t.loc };
    }
    if (t.text === "null") return { type: "scalar", value: null, loc: t.loc };
    const called = c.is("(") && c.peek().tight;
    if (c.keywords.has(t.text) && !called) {
      c.fail(`unexpected ${t.text} keyword`, t.loc);
    }
  }
  if (t.text === "set" && c.is("(") && c.is(")", 1)) {
    c.next();
    c.next();
    return { type: "set", items: [], loc: c.span(t.loc) };
  }
  return { type: "var", name: t.text, loc: t.loc };
}

/** `.name`, `[term]` and `(args)` after a term, on the same line. */
function parseSuffixes(c: Cursor, head: Term): Term {
  let term = head;
  for (;;) {
    const t = c.peek();
    if (t.kind !== "punct" || t.nl) return term;
    if (t.text === "." && t.tight) {
      c.next();
      const name = c.next();
      if (name.kind !== "ident" || !name.tight) c.fail("expected identifier after '.'", name.loc);
      const key: Term = { type: "scalar", value: name.text, loc: name.loc };
      term = appendRef(term, key, c.span(head.loc));
    } else if (t.text === "[" && t.tight) {
      c.next();
      const key = parseTermIn(c);
      c.expect("]");
      term = appendRef(term, key, c.span(head.loc));
    } else if (t.text === "(" && t.tight && (term.type === "var" || term.type === "ref")) {
      c.next();
      const args: Term[] = [];
      while (!c.is(")")) {
        args.push(parseTermIn(c));
        if (!c.accept(",")) break;
      }
      c.expect(")");
      term = { type: "call", fn: term, args, loc: c.span(head.loc) };
    } else {
      return term;
    }
  }
}

function appendRef(term: Term, key: Term, loc: Location): Term {
  if (term.type === "ref") return { type: "ref", head: term.head, path: [...term.path, key], loc };
  return { type: "ref", head: term, path: [key], loc };
}

function parseArray(c: Cursor): Term {
  const open = c.expect("[");
  if (c.accept("]")) return { type: "array", items: [], loc: c.span(open.loc) };
  const first = parseTermIn(c, { noOr: true });
  if (c.accept("|")) {
    const body = parseBody(c, "]");
    return { type: "arraycompr", term: first, body, loc: c.span(open.loc) };
  }
  const items = [first];
  while (c.accept(",")) {
    if (c.is("]")) break;
    items.push(parseTermIn(c));
  }
  c.expect("]");
  return { type: "array", items, loc: c.span(open.loc) };
}

function parseBraces(c: Cursor): Term {
  const open = c.expect("{");
  if (c.accept("}")) return { type: "object", pairs: [], loc: c.span(open.loc) };
  const first = parseTermIn(c, { noOr: true });
  if (c.accept(":")) {
    const value = parseTermIn(c, { noOr: true });
    if (c.accept("|")) {
      const body = parseBody(c, "}");
      return { type: "objectcompr", key: first, value, body, loc: c.span(open.loc) };
    }
    const pairs: [Term, Term][] = [[first, value]];
    while (c.accept(",")) {
      if (c.is("}")) break;
      const k = parseTermIn(c);
      c.expect(":");
      pairs.push([k, parseTermIn(c)]);
    }
    c.expect("}");
    return { type: "object", pairs, loc: c.span(open.loc) };
  }
  if (c.accept("|")) {
    const body = parseBody(c, "}");
    return { type: "setcompr", term: first, body, loc: c.span(open.loc) };
  }
  const items = [first];
  while (c.accept(",")) {
    if (c.is("}")) break;
    items.push(parseTermIn(c));
  }
  c.expect("}");
  return { type: "set", items, loc: c.span(open.loc) };
}

function parseTemplate(
  c: Cursor,
  parts: readonly (string | { start: number; end: number })[],
  loc: Location,
): Term {
  const out: (string | Expr)[] = [];
  for (const p of parts) {
    if (typeof p === "string") {
      out.push(p);
      continue;
    }
    const before = c.source.slice(0, p.start);
    const line = before.split("\n").length;
    const col = p.start - before.lastIndexOf("\n");
    const sub = lex(c.source.slice(0, p.end), c.file, p.start, line, col);
    const inner = new Cursor(sub.tokens, c.source, c.file, false);
    for (const k of c.keywords) inner.keywords.add(k);
    if (inner.peek().kind === "eof") inner.fail("empty template expression");
    const expr = parseLiteral(inner);
    if (inner.peek().kind !== "eof") inner.fail("unexpected token in template expression");
    out.push(expr);
  }
  return { type: "template", parts: out, loc };
}
