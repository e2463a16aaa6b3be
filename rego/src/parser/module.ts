import type { Body, ElseClause, Import, Module, Rule, RuleHead, Term } from "../ast/nodes.ts";
import type { Location } from "../errors.ts";
import { lex } from "../lexer/lexer.ts";
import { parseBody, parseLiteral } from "./body.ts";
import { Cursor, FUTURE_KEYWORDS } from "./cursor.ts";
import { metadataBlocks } from "./metadata.ts";
import { parseTerm, parseTermIn } from "./terms.ts";

export interface ParseOptions {
  /** Rego v0 syntax (`if`/`contains` optional, future keywords by import), like `--v0-compatible`. */
  readonly v0?: boolean;
}

/** Parses one module. Throws a positioned `rego_parse_error`. */
export function parseModule(source: string, file = "", options: ParseOptions = {}): Module {
  const v0 = options.v0 === true;
  const { tokens, comments } = lex(source, file);
  const c = new Cursor(tokens, source, file, v0);
  const meta = new Map(metadataBlocks(comments).map((b) => [b.nextLine, b.data]));
  if (!c.isKeyword("package")) c.fail("package expected");
  const pkgTok = c.next();
  const pkgTerm = parseTerm(c);
  const pkg = refToPath(c, pkgTerm);
  const imports: Import[] = [];
  while (c.isKeyword("import")) imports.push(parseImport(c));
  const rules: Rule[] = [];
  while (c.peek().kind !== "eof") {
    const annotations = meta.get(c.peek().loc.line);
    rules.push(parseRule(c, v0, annotations));
    c.accept(";");
  }
  return {
    file,
    source,
    pkg,
    pkgLoc: pkgTok.loc,
    imports,
    rules,
    annotations: meta.get(pkgTok.loc.line),
    v0,
  };
}

/** Parses a query body (`data.p.q = x; y := 1`). */
export function parseQuery(source: string, options: ParseOptions = {}): Body {
  const { tokens } = lex(source, "query");
  const c = new Cursor(tokens, source, "query", options.v0 === true);
  return parseBody(c, "eof");
}

function refToPath(c: Cursor, t: Term): string[] {
  if (t.type === "var") return [t.name];
  if (t.type !== "ref" || t.head.type !== "var") c.fail("package must be a reference", t.loc);
  const out = [t.head.name];
  for (const p of t.path) {
    if (p.type !== "scalar" || typeof p.value !== "string") c.fail("invalid package path", p.loc);
    out.push(p.value);
  }
  return out;
}

function parseImport(c: Cursor): Import {
  const start = c.next().loc;
  const path = parseTerm(c);
  const segs = refToPath(c, path);
  const root = segs[0];
  if (root !== "data" && root !== "input" && root !== "future" && root !== "rego") {
    c.fail(`invalid import path: ${segs.join(".")}`, path.loc);
  }
  if (root === "future") {
    if (segs[1] !== "keywords") c.fail(`invalid import ${segs.join(".")}`, path.loc);
    const which = segs[2];
    for (const k of FUTURE_KEYWORDS) if (!which || which === k) c.keywords.add(k);
  }
  if (root === "rego") for (const k of FUTURE_KEYWORDS) c.keywords.add(k);
  let alias: string | undefined;
  if (c.isKeyword("as")) {
    c.next();
    const a = c.next();
    if (a.kind !== "ident") c.fail("expected alias name", a.loc);
    alias = a.text;
  }
  return { path, alias, loc: c.span(start) };
}

function parseHeadRef(c: Cursor): { ref: Term[]; lastBracket: boolean } {
  const first = c.next();
  if (first.kind !== "ident") c.fail("unexpected token, expected rule head", first.loc);
  const ref: Term[] = [{ type: "var", name: first.text, loc: first.loc }];
  let lastBracket = false;
  for (;;) {
    const t = c.peek();
    if (t.kind === "punct" && t.text === "." && t.tight) {
      c.next();
      const n = c.next();
      if (n.kind !== "ident") c.fail("expected identifier", n.loc);
      ref.push({ type: "scalar", value: n.text, loc: n.loc });
      lastBracket = false;
    } else if (t.kind === "punct" && t.text === "[" && t.tight) {
      c.next();
      ref.push(parseTermIn(c));
      c.expect("]");
      lastBracket = true;
    } else {
      return { ref, lastBracket };
    }
  }
}

const TRUE = (loc: Location): Term => ({ type: "scalar", value: true, loc });

function parseRuleBody(c: Cursor, v0: boolean): Body | undefined {
  if (c.isKeyword("if")) {
    c.next();
    if (c.is("{")) {
      // `if {x: 1}` may be a term (object/set), not a body: try the body first
      const save = c.pos;
      try {
        c.next();
        return parseBody(c, "}");
      } catch {
        c.pos = save;
      }
    }
    return [parseLiteral(c)];
  }
  if (c.is("{") && !c.peek().nl) {
    if (!v0) c.fail("`if` keyword is required before rule body");
    c.next();
    return parseBody(c, "}");
  }
  if (c.is("{") && v0) {
    c.next();
    return parseBody(c, "}");
  }
  return undefined;
}

function parseRule(c: Cursor, v0: boolean, annotations: Record<string, unknown> | undefined): Rule {
  const start = c.peek().loc;
  const isDefault = c.isKeyword("default");
  if (isDefault) c.next();
  const { ref, lastBracket } = parseHeadRef(c);
  let args: Term[] | undefined;
  if (c.is("(") && c.peek().tight) {
    c.next();
    args = [];
    while (!c.is(")")) {
      args.push(parseTermIn(c));
      if (!c.accept(",")) break;
    }
    c.expect(")");
  }
  let key: Term | undefined;
  let value: Term | undefined;
  let assign = false;
  if (c.isKeyword("contains")) {
    c.next();
    key = parseTermIn(c);
  } else if (c.accept(":=")) {
    assign = true;
    value = parseTermIn(c);
  } else if (c.accept("=")) {
    value = parseTermIn(c);
  }
  if (isDefault && (value === undefined || key !== undefined)) {
    c.fail("default rules must have a value assigned with := or =", start);
  }
  let headRef = ref;
  if (v0 && key === undefined && value === undefined && lastBracket && ref.length === 2 && !args) {
    // v0 `p[x] { ... }` is a partial set
    key = ref[1];
    headRef = ref.slice(0, 1);
  }
  const headLoc = c.span(start);
  let body = parseRuleBody(c, v0);
  if (!body && key === undefined && value === undefined) {
    c.fail("rule must have a value or a body", start);
  }
  if (body && isDefault) c.fail("default rules cannot have a body", start);
  body ??= [{ kind: "term", term: TRUE(headLoc), negated: false, with: [], loc: headLoc }];
  const elses: ElseClause[] = [];
  while (c.isKeyword("else")) {
    const e = c.next();
    let ev: Term | undefined;
    if (c.accept(":=") || c.accept("=")) ev = parseTermIn(c);
    const eb = parseRuleBody(c, v0) ?? [
      { kind: "term", term: TRUE(e.loc), negated: false, with: [], loc: e.loc },
    ];
    elses.push({ value: ev, body: eb, loc: c.span(e.loc) });
  }
  const head: RuleHead = { ref: headRef, args, key, value, assign, loc: headLoc };
  return { head, body, isDefault, elses, annotations, loc: c.span(start) };
}
