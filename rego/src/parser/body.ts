import type { Body, Expr, ExprKind, Term, TermOf, WithModifier } from "../ast/nodes.ts";
import type { Cursor } from "./cursor.ts";
import { parseRelation, parseTerm, parseTermIn } from "./terms.ts";

/**
 * Literals up to the closing token (`}`, `]`, or end of input for a query),
 * separated by `;` or line breaks. The closing token is consumed.
 */
export function parseBody(c: Cursor, close: string | "eof"): Body {
  const exprs: Expr[] = [];
  const atClose = () => (close === "eof" ? c.peek().kind === "eof" : c.is(close));
  while (!atClose()) {
    exprs.push(parseLiteral(c));
    if (atClose()) break;
    if (c.accept(";")) continue;
    if (!c.peek().nl) c.fail("unexpected token, expected ';' or a line break");
  }
  if (exprs.length === 0) c.fail("found empty body");
  if (close !== "eof") c.next();
  return exprs;
}

export function parseLiteral(c: Cursor): Expr {
  const start = c.peek().loc;
  let negated = false;
  let kind: ExprKind;
  if (c.isKeyword("some")) {
    c.next();
    kind = parseSome(c);
  } else if (c.isKeyword("every")) {
    c.next();
    kind = parseEvery(c);
  } else {
    if (c.isKeyword("not")) {
      c.next();
      negated = true;
    }
    kind = parseExprKind(c);
  }
  const withs: WithModifier[] = [];
  while (c.isKeyword("with")) {
    const w = c.next();
    const target = parseTerm(c);
    if (!c.isKeyword("as")) c.fail("expected 'as'");
    c.next();
    const value = parseTermIn(c);
    withs.push({ target, value, loc: c.span(w.loc) });
  }
  return { ...kind, negated, with: withs, loc: c.span(start) };
}

function parseExprKind(c: Cursor): ExprKind {
  const left = parseTermIn(c, { pairIn: true });
  if (c.accept(":=")) return { kind: "assign", left, right: parseTermIn(c) };
  if (c.accept("=")) return { kind: "unify", left, right: parseTermIn(c) };
  return { kind: "term", term: left };
}

function parseSome(c: Cursor): ExprKind {
  const first = parseRelation(c);
  const terms = [first];
  while (c.accept(",")) terms.push(parseRelation(c));
  if (c.isKeyword("in")) {
    c.next();
    if (terms.length > 2) c.fail("unexpected token, expected 'in' after at most two terms");
    const domain = parseRelation(c);
    const [a, b] = terms as [Term, Term | undefined];
    return b
      ? { kind: "somein", key: a, value: b, domain }
      : { kind: "somein", key: undefined, value: a, domain };
  }
  for (const t of terms) {
    if (t.type !== "var") c.fail("expected variable in some declaration", t.loc);
  }
  return { kind: "some", vars: terms as TermOf<"var">[] };
}

function expectVar(c: Cursor, t: Term): TermOf<"var"> {
  if (t.type !== "var") c.fail("expected variable in every declaration", t.loc);
  return t;
}

function parseEvery(c: Cursor): ExprKind {
  const a = expectVar(c, parseTerm(c));
  let key: TermOf<"var"> | undefined;
  let value = a;
  if (c.accept(",")) {
    key = a;
    value = expectVar(c, parseTerm(c));
  }
  if (!c.isKeyword("in")) c.fail("expected 'in'");
  c.next();
  const domain = parseRelation(c);
  c.expect("{");
  const body = parseBody(c, "}");
  return { kind: "every", key, value, domain, body };
}
