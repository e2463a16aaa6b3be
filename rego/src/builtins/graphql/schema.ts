/** Building and checking a schema from a schema document (gqlparser's ValidateSchemaDocument). */
import { GqlError } from "./lexer.ts";
import type { Node } from "./parser.ts";

export interface Schema {
  types: Map<string, Node>;
  directives: Map<string, Node>;
  possibleTypes: Map<string, Node[]>;
  query: Node | undefined;
  mutation: Node | undefined;
  subscription: Node | undefined;
}

// biome-ignore lint/suspicious/noExplicitAny: positions come from untyped AST records.
export function errAt(pos: any, msg: string): GqlError {
  return new GqlError(msg, pos?.line ?? 0, pos?.column ?? 0);
}

export function typeName(t: Node): string {
  return t.Elem ? typeName(t.Elem) : t.NamedType;
}

export function typeString(t: Node): string {
  return (t.Elem ? `[${typeString(t.Elem)}]` : t.NamedType) + (t.NonNull ? "!" : "");
}

const quote = JSON.stringify;

function addPossible(s: Schema, name: string, def: Node | undefined): void {
  if (!def) return;
  const list = s.possibleTypes.get(name) ?? [];
  if (!list.includes(def)) list.push(def);
  s.possibleTypes.set(name, list);
}

const isInput = (d: Node | undefined) =>
  !!d && (d.Kind === "SCALAR" || d.Kind === "ENUM" || d.Kind === "INPUT_OBJECT");

/** Merge the documents (prelude first) and validate; throws GqlError. */
export function buildSchema(doc: Node): Schema {
  const s: Schema = {
    types: new Map(),
    directives: new Map(),
    possibleTypes: new Map(),
    query: undefined,
    mutation: undefined,
    subscription: undefined,
  };
  const defs: Node[] = [];
  for (const def of doc.Definitions ?? []) {
    if (s.types.has(def.Name)) throw errAt(def.Position, `Cannot redeclare type ${def.Name}.`);
    s.types.set(def.Name, def);
    defs.push(def);
  }
  for (const ext of doc.Extensions ?? []) {
    let def = s.types.get(ext.Name);
    if (!def) {
      def = {
        Kind: ext.Kind,
        Name: ext.Name,
        Description: "",
        Position: ext.Position,
        BuiltIn: false,
      };
      s.types.set(ext.Name, def);
      defs.push(def);
    }
    if (def.Kind !== ext.Kind) {
      throw errAt(
        ext.Position,
        `Cannot extend type ${ext.Name} because the base type is a ${def.Kind}, not ${ext.Kind}.`,
      );
    }
    for (const k of ["Directives", "Interfaces", "Fields", "Types", "EnumValues"]) {
      if (ext[k]?.length) def[k] = [...(def[k] ?? []), ...ext[k]];
    }
  }
  for (const def of defs) {
    if (def.Kind === "UNION")
      for (const t of def.Types ?? []) addPossible(s, def.Name, s.types.get(t));
    else if (def.Kind === "OBJECT" || def.Kind === "INPUT_OBJECT" || def.Kind === "INTERFACE") {
      for (const i of def.Interfaces ?? []) addPossible(s, i, def);
      if (def.Kind !== "INTERFACE") addPossible(s, def.Name, def);
    }
  }
  for (const dir of doc.Directives ?? []) {
    if (s.directives.has(dir.Name)) {
      if (["include", "skip", "deprecated", "specifiedBy"].includes(dir.Name)) continue;
      throw errAt(dir.Position, `Cannot redeclare directive ${dir.Name}.`);
    }
    s.directives.set(dir.Name, dir);
  }
  const schemas = doc.Schema ?? [];
  if (schemas.length > 1) {
    throw errAt(
      schemas[1].Position,
      "Cannot have multiple schema entry points, consider schema extensions instead.",
    );
  }
  for (const sd of [...schemas, ...(doc.SchemaExtension ?? [])]) {
    for (const ep of sd.OperationTypes ?? []) {
      const def = s.types.get(ep.Type);
      if (!def) {
        throw errAt(
          ep.Position,
          `Schema root ${ep.Operation} refers to a type ${ep.Type} that does not exist.`,
        );
      }
      if (ep.Operation === "query") s.query = def;
      if (ep.Operation === "mutation") s.mutation = def;
      if (ep.Operation === "subscription") s.subscription = def;
    }
  }
  for (const name of [...s.types.keys()].sort()) validateDefinition(s, s.types.get(name)!);
  for (const name of [...s.directives.keys()].sort()) {
    const d = s.directives.get(name)!;
    validateName(d.Position, d.Name);
    validateArgs(s, d.Arguments, d);
  }
  if (schemas.length === 0) {
    s.query ??= s.types.get("Query");
    s.mutation ??= s.types.get("Mutation");
    s.subscription ??= s.types.get("Subscription");
  }
  if (s.query) {
    const nn = (n: string, nonNull: boolean) => ({
      NamedType: n,
      Elem: null,
      NonNull: nonNull,
      Position: null,
    });
    s.query.Fields = [
      ...(s.query.Fields ?? []),
      { Name: "__schema", Type: nn("__Schema", true), Description: "" },
      {
        Name: "__type",
        Type: nn("__Type", false),
        Description: "",
        Arguments: [{ Name: "name", Type: nn("String", true), Description: "" }],
      },
    ];
  }
  return s;
}

function validateName(pos: Node | null, name: string): void {
  if (name.startsWith("__")) {
    throw errAt(
      pos,
      `Name "${name}" must not begin with "__", which is reserved by GraphQL introspection.`,
    );
  }
}

function validateTypeRef(s: Schema, t: Node): void {
  if (!s.types.has(typeName(t))) throw errAt(t.Position, `Undefined type ${typeName(t)}.`);
}

function validateArgs(s: Schema, args: Node[] | null | undefined, current: Node | null): void {
  for (const arg of args ?? []) {
    validateName(arg.Position, arg.Name);
    validateTypeRef(s, arg.Type);
    const def = s.types.get(typeName(arg.Type));
    if (!isInput(def)) {
      throw errAt(
        arg.Position,
        `cannot use ${typeString(arg.Type)} as argument ${arg.Name} because ${def?.Kind} is not a valid input type`,
      );
    }
    validateDirectives(s, arg.Directives, "ARGUMENT_DEFINITION", current);
  }
}

function validateDirectives(
  s: Schema,
  dirs: Node[] | null | undefined,
  location: string,
  current: Node | null,
): void {
  for (const dir of dirs ?? []) {
    validateName(dir.Position, dir.Name);
    if (current && dir.Name === current.Name) {
      throw errAt(dir.Position, `Directive ${current.Name} cannot refer to itself.`);
    }
    const def = s.directives.get(dir.Name);
    if (!def) throw errAt(dir.Position, `Undefined directive ${dir.Name}.`);
    if (!(def.Locations ?? []).includes(location)) {
      throw errAt(dir.Position, `Directive ${dir.Name} is not applicable on ${location}.`);
    }
  }
}

function isCovariant(s: Schema, req: Node, act: Node): boolean {
  if (req.NonNull && !act.NonNull) return false;
  if (req.NamedType) {
    if (req.NamedType === act.NamedType) return true;
    return (s.possibleTypes.get(req.NamedType) ?? []).some((p) => p.Name === act.NamedType);
  }
  if (req.Elem && !act.Elem) return false;
  return isCovariant(s, req.Elem, act.Elem);
}

function sameType(a: Node, b: Node): boolean {
  if (a.NonNull !== b.NonNull) return false;
  if (a.Elem || b.Elem) return !!a.Elem && !!b.Elem && sameType(a.Elem, b.Elem);
  return a.NamedType === b.NamedType;
}

function validateImplements(s: Schema, def: Node, intfName: string): void {
  const intf = s.types.get(intfName);
  if (!intf) throw errAt(def.Position, `Undefined type ${quote(intfName)}.`);
  if (intf.Kind !== "INTERFACE") {
    throw errAt(def.Position, `${quote(intfName)} is a non interface type ${intf.Kind}.`);
  }
  const fields: Node[] = def.Fields ?? [];
  for (const req of intf.Fields ?? []) {
    const found = fields.find((f) => f.Name === req.Name);
    const pre = `For ${def.Name} to implement ${intf.Name}`;
    if (!found) throw errAt(def.Position, `${pre} it must have a field called ${req.Name}.`);
    if (!isCovariant(s, req.Type, found.Type)) {
      throw errAt(
        found.Position,
        `${pre} the field ${req.Name} must have type ${typeString(req.Type)}.`,
      );
    }
    for (const ra of req.Arguments ?? []) {
      const fa = (found.Arguments ?? []).find((a: Node) => a.Name === ra.Name);
      if (!fa) {
        throw errAt(
          found.Position,
          `${pre} the field ${req.Name} must have the same arguments but it is missing ${ra.Name}.`,
        );
      }
      if (!sameType(ra.Type, fa.Type)) {
        throw errAt(
          fa.Position,
          `${pre} the field ${req.Name} must have the same arguments but ${ra.Name} has the wrong type.`,
        );
      }
    }
    for (const fa of found.Arguments ?? []) {
      const inReq = (req.Arguments ?? []).some((a: Node) => a.Name === fa.Name);
      if (!inReq && fa.Type.NonNull && !fa.DefaultValue) {
        throw errAt(
          fa.Position,
          `${pre} any additional arguments on ${found.Name} must be optional or have a default value but ${fa.Name} is required.`,
        );
      }
    }
  }
  for (const t of intf.Interfaces ?? []) {
    if ((def.Interfaces ?? []).includes(t)) continue;
    if (t === def.Name) {
      throw errAt(
        def.Position,
        `Type ${def.Name} cannot implement ${intfName} because it would create a circular reference.`,
      );
    }
    throw errAt(
      def.Position,
      `Type ${def.Name} must implement ${t} because it is implemented by ${intfName}.`,
    );
  }
}

function validateDefinition(s: Schema, def: Node): void {
  const fields: Node[] = def.Fields ?? [];
  for (const f of fields) {
    validateName(f.Position, f.Name);
    validateTypeRef(s, f.Type);
    validateArgs(s, f.Arguments, null);
    const loc = def.Kind === "INPUT_OBJECT" ? "INPUT_FIELD_DEFINITION" : "FIELD_DEFINITION";
    validateDirectives(s, f.Directives, loc, null);
  }
  for (const t of def.Types ?? []) {
    const td = s.types.get(t);
    if (!td) throw errAt(def.Position, `Undefined type ${quote(t)}.`);
    if (td.Kind !== "OBJECT")
      throw errAt(def.Position, `${def.Kind} type ${quote(t)} must be OBJECT.`);
  }
  for (const i of def.Interfaces ?? []) validateImplements(s, def, i);
  const kinds = (allowed: string[], what: string, kindOf: (f: Node, t: Node) => string) => {
    for (const f of fields) {
      const t = s.types.get(typeName(f.Type));
      if (t && !allowed.includes(t.Kind)) {
        throw errAt(f.Position, `${kindOf(f, t)}: field must be one of ${allowed.join(", ")}.`);
      }
    }
    return what;
  };
  switch (def.Kind) {
    case "OBJECT":
    case "INTERFACE":
      if (fields.length === 0) {
        throw errAt(def.Position, `${def.Kind} ${def.Name}: must define one or more fields.`);
      }
      kinds(
        ["SCALAR", "OBJECT", "INTERFACE", "UNION", "ENUM"],
        "",
        () => `${def.Kind} ${def.Name}`,
      );
      break;
    case "ENUM": {
      const values: Node[] = def.EnumValues ?? [];
      if (values.length === 0) {
        throw errAt(
          def.Position,
          `${def.Kind} ${def.Name}: must define one or more unique enum values.`,
        );
      }
      for (const v of values) {
        if (["true", "false", "null"].includes(v.Name)) {
          throw errAt(def.Position, `${def.Kind} ${def.Name}: non-enum value ${v.Name}.`);
        }
      }
      break;
    }
    case "INPUT_OBJECT":
      if (fields.length === 0) {
        throw errAt(def.Position, `${def.Kind} ${def.Name}: must define one or more input fields.`);
      }
      kinds(["SCALAR", "ENUM", "INPUT_OBJECT"], "", (f, t) => `${t.Kind} ${f.Name}`);
      break;
  }
  for (let i = 0; i < fields.length; i++) {
    for (const f2 of fields.slice(i + 1)) {
      if (fields[i]!.Name === f2.Name) {
        throw errAt(f2.Position, `Field ${def.Name}.${f2.Name} can only be defined once.`);
      }
    }
  }
  if (!def.BuiltIn) validateName(def.Position, def.Name);
  validateDirectives(s, def.Directives, def.Kind, null);
}
