/** Query documents (gqlparser's parser/query.go grammar). */
import { kindText, Tok } from "./lexer.ts";
import { type Node, Parser } from "./parser.ts";

function selectionSet(p: Parser, required: boolean): Node[] | null {
  if (required && p.peek().kind !== Tok.BraceL) {
    p.error(p.peek(), `Expected {, found ${kindText(p.peek().kind)}`);
    return null;
  }
  const out: Node[] = [];
  p.some(Tok.BraceL, Tok.BraceR, () => out.push(selection(p)));
  return out.length ? out : null;
}

function selection(p: Parser): Node {
  if (p.peek().kind === Tok.Spread) {
    p.expect(Tok.Spread);
    const peek = p.peek();
    if (peek.kind === Tok.Name && peek.value !== "on") {
      const Position = p.peekPos();
      const Name = fragmentName(p);
      return {
        Name,
        Directives: p.directives(false),
        ObjectDefinition: null,
        Definition: null,
        Position,
      };
    }
    const frag: Node = {
      TypeCondition: "",
      Directives: null,
      SelectionSet: null,
      ObjectDefinition: null,
      Position: p.peekPos(),
    };
    if (p.peek().value === "on") {
      p.next();
      frag.TypeCondition = p.name();
    }
    frag.Directives = p.directives(false);
    frag.SelectionSet = selectionSet(p, true);
    return frag;
  }
  const field: Node = {
    Alias: "",
    Name: "",
    Arguments: null,
    Directives: null,
    SelectionSet: null,
    Position: p.peekPos(),
    Definition: null,
    ObjectDefinition: null,
  };
  field.Alias = p.name();
  field.Name = p.skip(Tok.Colon) ? p.name() : field.Alias;
  field.Arguments = p.arguments(false);
  field.Directives = p.directives(false);
  if (p.peek().kind === Tok.BraceL) field.SelectionSet = selectionSet(p, false);
  return field;
}

function fragmentName(p: Parser): string {
  if (p.peek().value === "on") {
    p.unexpected();
    return "";
  }
  return p.name();
}

function variableDefinitions(p: Parser): Node[] | null {
  const out: Node[] = [];
  p.many(Tok.ParenL, Tok.ParenR, () => {
    const def: Node = {
      Variable: "",
      Type: null,
      DefaultValue: null,
      Directives: null,
      Position: p.peekPos(),
      Definition: null,
      Used: false,
    };
    def.Variable = p.variable();
    p.expect(Tok.Colon);
    def.Type = p.typeRef();
    if (p.skip(Tok.Equals)) def.DefaultValue = p.value(true);
    def.Directives = p.directives(false);
    out.push(def);
  });
  return out.length ? out : null;
}

function operation(p: Parser): Node {
  const op: Node = {
    Operation: "query",
    Name: "",
    VariableDefinitions: null,
    Directives: null,
    SelectionSet: null,
    Position: p.peekPos(),
  };
  if (p.peek().kind === Tok.BraceL) {
    op.SelectionSet = selectionSet(p, true);
    return op;
  }
  op.Operation = p.operationType();
  if (p.peek().kind === Tok.Name) op.Name = p.next().value;
  op.VariableDefinitions = variableDefinitions(p);
  op.Directives = p.directives(false);
  op.SelectionSet = selectionSet(p, true);
  return op;
}

function fragmentDefinition(p: Parser): Node {
  const def: Node = {
    Name: "",
    VariableDefinition: null,
    TypeCondition: "",
    Directives: null,
    SelectionSet: null,
    Definition: null,
    Position: p.peekPos(),
  };
  p.expectKeyword("fragment");
  def.Name = fragmentName(p);
  def.VariableDefinition = variableDefinitions(p);
  p.expectKeyword("on");
  def.TypeCondition = p.name();
  def.Directives = p.directives(false);
  def.SelectionSet = selectionSet(p, true);
  return def;
}

export function parseQuery(input: string): Node {
  const p = new Parser(input);
  const ops: Node[] = [];
  const frags: Node[] = [];
  while (p.peek().kind !== Tok.EOF) {
    if (p.err) break;
    const t = p.peek();
    if (t.kind === Tok.Name) {
      if (t.value === "query" || t.value === "mutation" || t.value === "subscription") {
        ops.push(operation(p));
      } else if (t.value === "fragment") frags.push(fragmentDefinition(p));
      else p.unexpected();
    } else if (t.kind === Tok.BraceL) ops.push(operation(p));
    else p.unexpected();
  }
  if (p.err) throw p.err;
  return {
    Operations: ops.length ? ops : null,
    Fragments: frags.length ? frags : null,
    Position: null,
  };
}
