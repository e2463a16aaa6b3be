/**
 * gqlparser AST records to Rego values as OPA returns them (null, empty
 * arrays/objects and `Position` pruned), and Rego AST objects back to
 * records (OPA's JSON round trip into the Go structs).
 */
import { RObject, toJSON, type Value } from "../../value.ts";
import type { Node } from "./parser.ts";

/** Prune like OPA's `pruneIrrelevantGraphQLASTNodes`; undefined for pruned values. */
export function toRego(x: unknown): Value | undefined {
  if (x === null || x === undefined) return undefined;
  if (Array.isArray(x)) {
    const out: Value[] = [];
    for (const e of x) {
      const v = toRego(e);
      if (v === undefined) continue;
      if (isEmpty(v)) continue;
      out.push(v);
    }
    return out;
  }
  if (typeof x === "object") {
    const o = new RObject();
    for (const [k, e] of Object.entries(x as Node)) {
      if (k === "Position") continue;
      const v = toRego(e);
      if (v === undefined || isEmpty(v)) continue;
      o.set(k, v);
    }
    return o;
  }
  return x as Value;
}

function isEmpty(v: Value): boolean {
  return (Array.isArray(v) && v.length === 0) || (v instanceof RObject && v.size === 0);
}

export function documentToRego(doc: Node): Value {
  return toRego(doc) ?? new RObject();
}

// ---- back from Rego objects ------------------------------------------------

type J = Record<string, unknown>;

function str(o: J, k: string): string {
  return typeof o[k] === "string" ? (o[k] as string) : "";
}

function arr(o: J, k: string): J[] | null {
  const v = o[k];
  if (!Array.isArray(v)) return null;
  return v.filter((x): x is J => x !== null && typeof x === "object" && !Array.isArray(x));
}

function strings(o: J, k: string): string[] | null {
  const v = o[k];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : null;
}

function type(o: unknown): Node | null {
  if (o === null || typeof o !== "object") return null;
  const t = o as J;
  return {
    NamedType: str(t, "NamedType"),
    Elem: type(t.Elem),
    NonNull: t.NonNull === true,
    Position: null,
  };
}

function value(o: unknown): Node | null {
  if (o === null || typeof o !== "object") return null;
  const v = o as J;
  const children = arr(v, "Children");
  return {
    Parent: null,
    Definition: null,
    VariableDefinition: null,
    ExpectedType: null,
    ExpectedTypeHasDefault: false,
    Kind: typeof v.Kind === "number" ? v.Kind : 0,
    Raw: str(v, "Raw"),
    Children:
      children?.map((c) => ({ Name: str(c, "Name"), Value: value(c.Value), Position: null })) ??
      null,
    Position: null,
  };
}

function args(o: J, k: string): Node[] | null {
  return (
    arr(o, k)?.map((a) => ({ Name: str(a, "Name"), Value: value(a.Value), Position: null })) ?? null
  );
}

function directives(o: J): Node[] | null {
  return (
    arr(o, "Directives")?.map((d) => ({
      Name: str(d, "Name"),
      Arguments: args(d, "Arguments"),
      Position: null,
      ParentDefinition: null,
      Definition: null,
      Location: str(d, "Location"),
    })) ?? null
  );
}

function selections(o: J): Node[] | null {
  return (
    arr(o, "SelectionSet")?.map((s) => {
      if ("Alias" in s || "Arguments" in s) {
        return {
          Alias: str(s, "Alias"),
          Name: str(s, "Name"),
          Arguments: args(s, "Arguments"),
          Directives: directives(s),
          SelectionSet: selections(s),
          Position: null,
          Definition: null,
          ObjectDefinition: null,
        };
      }
      if ("Name" in s && !("SelectionSet" in s)) {
        return {
          Name: str(s, "Name"),
          Directives: directives(s),
          ObjectDefinition: null,
          Definition: null,
          Position: null,
        };
      }
      return {
        TypeCondition: str(s, "TypeCondition"),
        Directives: directives(s),
        SelectionSet: selections(s),
        ObjectDefinition: null,
        Position: null,
      };
    }) ?? null
  );
}

function varDefs(o: J, k: string): Node[] | null {
  return (
    arr(o, k)?.map((v) => ({
      Variable: str(v, "Variable"),
      Type: type(v.Type),
      DefaultValue: value(v.DefaultValue),
      Directives: directives(v),
      Position: null,
      Definition: null,
      Used: false,
    })) ?? null
  );
}

export function queryFromRego(v: RObject): Node {
  const o = toJSON(v) as J;
  return {
    Operations:
      arr(o, "Operations")?.map((op) => ({
        Operation: str(op, "Operation"),
        Name: str(op, "Name"),
        VariableDefinitions: varDefs(op, "VariableDefinitions"),
        Directives: directives(op),
        SelectionSet: selections(op),
        Position: null,
      })) ?? null,
    Fragments:
      arr(o, "Fragments")?.map((f) => ({
        Name: str(f, "Name"),
        VariableDefinition: varDefs(f, "VariableDefinition"),
        TypeCondition: str(f, "TypeCondition"),
        Directives: directives(f),
        SelectionSet: selections(f),
        Definition: null,
        Position: null,
      })) ?? null,
    Position: null,
  };
}

function inputValues(o: J, k: string): Node[] | null {
  return (
    arr(o, k)?.map((f) => ({
      Description: str(f, "Description"),
      Name: str(f, "Name"),
      Arguments: inputValues(f, "Arguments"),
      DefaultValue: value(f.DefaultValue),
      Type: type(f.Type),
      Directives: directives(f),
      Position: null,
    })) ?? null
  );
}

function definitions(o: J, k: string): Node[] | null {
  return (
    arr(o, k)?.map((d) => ({
      Kind: str(d, "Kind"),
      Description: str(d, "Description"),
      Name: str(d, "Name"),
      Directives: directives(d),
      Interfaces: strings(d, "Interfaces"),
      Fields: inputValues(d, "Fields"),
      Types: strings(d, "Types"),
      EnumValues:
        arr(d, "EnumValues")?.map((e) => ({
          Description: str(e, "Description"),
          Name: str(e, "Name"),
          Directives: directives(e),
          Position: null,
        })) ?? null,
      Position: null,
      BuiltIn: d.BuiltIn === true,
    })) ?? null
  );
}

function schemaDefs(o: J, k: string): Node[] | null {
  return (
    arr(o, k)?.map((s) => ({
      Description: str(s, "Description"),
      Directives: directives(s),
      OperationTypes:
        arr(s, "OperationTypes")?.map((t) => ({
          Operation: str(t, "Operation"),
          Type: str(t, "Type"),
          Position: null,
        })) ?? null,
      Position: null,
    })) ?? null
  );
}

export function schemaFromRego(v: RObject): Node {
  const o = toJSON(v) as J;
  return {
    Schema: schemaDefs(o, "Schema"),
    SchemaExtension: schemaDefs(o, "SchemaExtension"),
    Directives:
      arr(o, "Directives")?.map((d) => ({
        Description: str(d, "Description"),
        Name: str(d, "Name"),
        Arguments: inputValues(d, "Arguments"),
        Locations: strings(d, "Locations"),
        IsRepeatable: d.IsRepeatable === true,
        Position: null,
      })) ?? null,
    Definitions: definitions(o, "Definitions"),
    Extensions: definitions(o, "Extensions"),
    Position: null,
  };
}
