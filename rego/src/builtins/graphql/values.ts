/** Literal values against their expected input types (gqlparser's ValuesOfCorrectType). */
import { ValueKind as K, type Node } from "./parser.ts";
import { errAt, type Schema, typeName, typeString } from "./schema.ts";
import { quotedOrList, suggestionList } from "./suggest.ts";

/** gqlparser's `Value.String()`. */
export function valueString(v: Node | null): string {
  if (!v) return "<nil>";
  switch (v.Kind) {
    case K.Variable:
      return `$${v.Raw}`;
    case K.StringValue:
    case K.BlockValue:
      return JSON.stringify(v.Raw);
    case K.ListValue:
      return `[${(v.Children ?? []).map((c: Node) => valueString(c.Value)).join(",")}]`;
    case K.ObjectValue:
      return `{${(v.Children ?? []).map((c: Node) => `${c.Name}:${valueString(c.Value)}`).join(",")}}`;
    default:
      return v.Raw;
  }
}

function suggest(prefix: string, input: string, options: string[], quoted = true): string {
  const list = suggestionList(input, options);
  if (list.length === 0) return "";
  return ` ${prefix} ${quoted ? quotedOrList(list) : list.slice(0, 5).join(", ")}?`;
}

function unexpected(t: Node, def: Node, v: Node): string {
  const str = valueString(v);
  switch (typeString(t)) {
    case "Int":
    case "Int!": {
      const n = Number(v.Raw);
      if (v.Kind === K.IntValue && (n < -2147483648 || n > 2147483647)) {
        return `Int cannot represent non 32-bit signed integer value: ${str}`;
      }
      return `Int cannot represent non-integer value: ${str}`;
    }
    case "String":
    case "String!":
    case "[String]":
      return `String cannot represent a non string value: ${str}`;
    case "Boolean":
    case "Boolean!":
      return `Boolean cannot represent a non boolean value: ${str}`;
    case "Float":
    case "Float!":
      return `Float cannot represent non numeric value: ${str}`;
    case "ID":
    case "ID!":
      return `ID cannot represent a non-string and non-integer value: ${str}`;
    default:
      if (def.Kind === "ENUM")
        return `Enum "${typeString(t)}" cannot represent non-enum value: ${str}.`;
      return `Expected value of type "${typeString(t)}", found ${str}.`;
  }
}

function fitsInt64(raw: string): boolean {
  const n = BigInt(raw);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}

const BUILTIN_SCALARS = ["Int", "Float", "String", "Boolean", "ID"];

/** Throws the first problem with `v` as a value of type `t`, children first as gqlparser walks. */
export function checkValue(s: Schema, t: Node | null, v: Node | null): void {
  if (!v || !t) return;
  const def = s.types.get(typeName(t));
  if (v.Kind === K.ObjectValue) {
    for (const c of v.Children ?? []) {
      const f = (def?.Fields ?? []).find((x: Node) => x.Name === c.Name);
      if (f) checkValue(s, f.Type, c.Value);
    }
  }
  if (v.Kind === K.ListValue) {
    for (const c of v.Children ?? []) if (t.Elem) checkValue(s, t.Elem, c.Value);
  }
  if (!def) return;
  const fail = (msg: string, at: Node = v): never => {
    throw errAt(at.Position, msg);
  };
  if (v.Kind === K.NullValue && t.NonNull) {
    fail(`Expected value of type "${typeString(t)}", found ${valueString(v)}.`);
  }
  if (def.Kind === "SCALAR" && !BUILTIN_SCALARS.includes(def.Name)) return;
  const is = (...names: string[]) => names.includes(def.Name);
  const enums: string[] =
    def.Kind === "ENUM" ? (def.EnumValues ?? []).map((e: Node) => e.Name) : [];
  switch (v.Kind) {
    case K.ListValue:
      if (!t.Elem) fail(unexpected(t, def, v));
      return;
    case K.IntValue:
      // gqlparser accepts any int64 here; beyond that the value itself does not parse.
      if (!is("Int", "Float", "ID") || !fitsInt64(v.Raw)) fail(unexpected(t, def, v));
      return;
    case K.FloatValue:
      if (!is("Float")) fail(unexpected(t, def, v));
      return;
    case K.StringValue:
    case K.BlockValue:
      if (def.Kind === "ENUM") {
        fail(
          `Enum "${typeString(t)}" cannot represent non-enum value: ${valueString(v)}.` +
            suggest("Did you mean the enum value", v.Raw, enums),
        );
      }
      if (!is("String", "ID")) fail(unexpected(t, def, v));
      return;
    case K.EnumValue:
      if (def.Kind !== "ENUM") {
        fail(unexpected(t, def, v) + suggest("Did you mean the enum value", v.Raw, enums, false));
      }
      if (!enums.includes(v.Raw)) {
        fail(
          `Value "${v.Raw}" does not exist in "${typeString(t)}" enum.` +
            suggest("Did you mean the enum value", v.Raw, enums),
        );
      }
      return;
    case K.BooleanValue:
      if (!is("Boolean")) fail(unexpected(t, def, v));
      return;
    case K.ObjectValue: {
      if (def.Kind !== "INPUT_OBJECT") fail(unexpected(t, def, v));
      const fields: Node[] = def.Fields ?? [];
      const given: Node[] = v.Children ?? [];
      for (const f of fields) {
        if (f.Type.NonNull && !f.DefaultValue && !given.some((c) => c.Name === f.Name)) {
          fail(
            `Field "${def.Name}.${f.Name}" of required type "${typeString(f.Type)}" was not provided.`,
          );
        }
      }
      const seen = new Set<string>();
      for (const c of given) {
        if (seen.has(c.Name)) fail(`There can be only one input field named "${c.Name}".`, c);
        seen.add(c.Name);
        if (!fields.some((f) => f.Name === c.Name)) {
          fail(
            `Field "${c.Name}" is not defined by type "${def.Name}".` +
              suggest(
                "Did you mean",
                c.Name,
                fields.map((f) => f.Name),
              ),
            c,
          );
        }
      }
      return;
    }
    default:
      return;
  }
}
