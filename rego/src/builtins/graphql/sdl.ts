/** Schema documents (gqlparser's parser/schema.go grammar). */
import { Tok } from "./lexer.ts";
import { type Node, Parser } from "./parser.ts";

function description(p: Parser): string {
  const t = p.peek();
  if (t.kind !== Tok.String && t.kind !== Tok.BlockString) return "";
  return p.next().value;
}

function definition(kind: string, desc: string, p: Parser): Node {
  return {
    Kind: kind,
    Description: desc,
    Name: "",
    Directives: null,
    Interfaces: null,
    Fields: null,
    Types: null,
    EnumValues: null,
    Position: p.peekPos(),
    BuiltIn: false,
  };
}

function implementsInterfaces(p: Parser): string[] | null {
  if (p.peek().value !== "implements") return null;
  p.next();
  p.skip(Tok.Amp);
  const out = [p.name()];
  while (p.skip(Tok.Amp) && !p.err) out.push(p.name());
  return out;
}

function inputValueDef(p: Parser, withArgs: boolean): Node {
  const def: Node = {
    Description: "",
    Name: "",
    Arguments: null,
    DefaultValue: null,
    Type: null,
    Directives: null,
    Position: p.peekPos(),
  };
  def.Description = description(p);
  def.Name = p.name();
  if (withArgs) def.Arguments = argumentDefs(p);
  p.expect(Tok.Colon);
  def.Type = p.typeRef();
  if (!withArgs && p.skip(Tok.Equals)) def.DefaultValue = p.value(true);
  def.Directives = p.directives(true);
  if (withArgs) delete def.DefaultValue;
  return def;
}

function argumentDefs(p: Parser): Node[] | null {
  const out: Node[] = [];
  p.some(Tok.ParenL, Tok.ParenR, () => {
    const def = inputValueDef(p, false);
    delete def.Arguments;
    out.push(def);
  });
  return out.length ? out : null;
}

function list<T>(p: Parser, cb: () => T): T[] | null {
  const out: T[] = [];
  p.some(Tok.BraceL, Tok.BraceR, () => out.push(cb()));
  return out.length ? out : null;
}

function fieldsDefinition(p: Parser): Node[] | null {
  return list(p, () => inputValueDef(p, true));
}

function inputFieldsDefinition(p: Parser): Node[] | null {
  return list(p, () => {
    const d = inputValueDef(p, false);
    return d;
  });
}

function enumValues(p: Parser): Node[] | null {
  return list(p, () => ({
    Position: p.peekPos(),
    Description: description(p),
    Name: p.name(),
    Directives: p.directives(true),
  }));
}

function unionMembers(p: Parser): string[] | null {
  if (!p.skip(Tok.Equals)) return null;
  p.skip(Tok.Pipe);
  const out = [p.name()];
  while (p.skip(Tok.Pipe) && !p.err) out.push(p.name());
  return out;
}

const KINDS: Record<string, string> = {
  scalar: "SCALAR",
  type: "OBJECT",
  interface: "INTERFACE",
  union: "UNION",
  enum: "ENUM",
  input: "INPUT_OBJECT",
};

/** A type definition or extension; `ext` checks that an extension adds something. */
function typeDefinition(p: Parser, keyword: string, desc: string, ext: boolean): Node {
  p.expectKeyword(keyword);
  const def = definition(KINDS[keyword]!, desc, p);
  def.Name = p.name();
  switch (keyword) {
    case "scalar":
      def.Directives = p.directives(true);
      if (ext && !def.Directives) p.unexpected();
      break;
    case "type":
    case "interface":
      if (!ext || keyword === "type") def.Interfaces = implementsInterfaces(p);
      def.Directives = p.directives(true);
      def.Fields = fieldsDefinition(p);
      if (ext && !def.Interfaces && !def.Directives && !def.Fields) p.unexpected();
      break;
    case "union":
      def.Directives = p.directives(true);
      def.Types = unionMembers(p);
      if (ext && !def.Directives && !def.Types) p.unexpected();
      break;
    case "enum":
      def.Directives = p.directives(true);
      def.EnumValues = enumValues(p);
      if (ext && !def.Directives && !def.EnumValues) p.unexpected();
      break;
    default:
      def.Directives = p.directives(!ext);
      def.Fields = inputFieldsDefinition(p);
      if (ext && !def.Directives && !def.Fields) p.unexpected();
  }
  return def;
}

function schemaDefinition(p: Parser, desc: string, ext: boolean): Node {
  p.expectKeyword("schema");
  const def: Node = {
    Description: desc,
    Directives: null,
    OperationTypes: null,
    Position: p.peekPos(),
  };
  def.Directives = p.directives(true);
  const ops: Node[] = [];
  p.some(Tok.BraceL, Tok.BraceR, () => {
    const Position = p.peekPos();
    const Operation = p.operationType();
    p.expect(Tok.Colon);
    ops.push({ Operation, Type: p.name(), Position });
  });
  def.OperationTypes = ops.length ? ops : null;
  if (ext && !def.Directives && !def.OperationTypes) p.unexpected();
  return def;
}

function directiveDefinition(p: Parser, desc: string): Node {
  p.expectKeyword("directive");
  p.expect(Tok.At);
  const def: Node = {
    Description: desc,
    Name: "",
    Arguments: null,
    Locations: null,
    IsRepeatable: false,
    Position: p.peekPos(),
  };
  def.Name = p.name();
  def.Arguments = argumentDefs(p);
  const peek = p.peek();
  if (peek.kind === Tok.Name && peek.value === "repeatable") {
    def.IsRepeatable = true;
    p.skip(Tok.Name);
  }
  p.expectKeyword("on");
  p.skip(Tok.Pipe);
  const locs = [p.directiveLocation()];
  while (p.skip(Tok.Pipe) && !p.err) locs.push(p.directiveLocation());
  def.Locations = locs;
  return def;
}

export function parseSchema(input: string): Node {
  const p = new Parser(input);
  const doc: Node = {
    Schema: [],
    SchemaExtension: [],
    Directives: [],
    Definitions: [],
    Extensions: [],
    Position: null,
  };
  while (p.peek().kind !== Tok.EOF) {
    if (p.err) break;
    let desc = "";
    if (p.peek().kind === Tok.BlockString || p.peek().kind === Tok.String) desc = description(p);
    if (p.peek().kind !== Tok.Name) {
      p.unexpected();
      break;
    }
    const word = p.peek().value;
    if (word in KINDS) doc.Definitions.push(typeDefinition(p, word, desc, false));
    else if (word === "schema") doc.Schema.push(schemaDefinition(p, desc, false));
    else if (word === "directive") doc.Directives.push(directiveDefinition(p, desc));
    else if (word === "extend") {
      if (desc !== "") p.unexpected(p.prev);
      p.expectKeyword("extend");
      const what = p.peek().value;
      if (what === "schema") doc.SchemaExtension.push(schemaDefinition(p, "", true));
      else if (what in KINDS) doc.Extensions.push(typeDefinition(p, what, "", true));
      else p.unexpected();
    } else {
      p.unexpected();
      break;
    }
  }
  if (p.err) throw p.err;
  for (const k of ["Schema", "SchemaExtension", "Directives", "Definitions", "Extensions"]) {
    if (doc[k].length === 0) doc[k] = null;
  }
  return doc;
}
