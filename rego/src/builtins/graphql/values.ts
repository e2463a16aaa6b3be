/** Literal values against their expected input types (ValuesOfCorrectType). */
import { ValueKind as K, type Node } from "./parser.ts";
import { errAt, type Schema, typeString } from "./schema.ts";

export function valueString(v: Node | null): string {
  if (!v) return "<nil>";
  switch (v.Kind) {
    case K.Variable:
      return `$${v.Raw}`;
    case K.StringValue:
      return JSON.stringify(v.Raw);
    case K.BlockValue:
      return `"""${v.Raw}"""`;
    case K.ListValue:
      return `[${(v.Children ?? []).map((c: Node) => valueString(c.Value)).join(",")}]`;
    case K.ObjectValue:
      return `{${(v.Children ?? []).map((c: Node) => `${c.Name}:${valueString(c.Value)}`).join(",")}}`;
    default:
      return v.Raw;
  }
}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

/** Throws the first problem with `v` as a value of type `t`. */
export function checkValue(s: Schema, t: Node, v: Node | null): void {
  if (!v || v.Kind === K.Variable) return;
  if (v.Kind === K.NullValue) {
    if (t.NonNull) {
      throw errAt(
        v.Position,
        `Expected value of type "${typeString(t)}", found ${valueString(v)}.`,
      );
    }
    return;
  }
  if (t.Elem) {
    if (v.Kind === K.ListValue) {
      for (const c of v.Children ?? []) checkValue(s, t.Elem, c.Value);
    } else checkValue(s, t.Elem, v);
    return;
  }
  const def = s.types.get(t.NamedType);
  if (!def) return;
  const bad = (msg: string): never => {
    throw errAt(v.Position, msg);
  };
  const str = valueString(v);
  switch (def.Kind) {
    case "SCALAR":
      switch (def.Name) {
        case "Int":
          if (v.Kind !== K.IntValue) bad(`Int cannot represent non-integer value: ${str}`);
          if (Number(v.Raw) < INT_MIN || Number(v.Raw) > INT_MAX) {
            bad(`Int cannot represent non 32-bit signed integer value: ${str}`);
          }
          return;
        case "Float":
          if (v.Kind !== K.IntValue && v.Kind !== K.FloatValue) {
            bad(`Float cannot represent non numeric value: ${str}`);
          }
          return;
        case "String":
          if (v.Kind !== K.StringValue && v.Kind !== K.BlockValue) {
            bad(`String cannot represent a non string value: ${str}`);
          }
          return;
        case "Boolean":
          if (v.Kind !== K.BooleanValue)
            bad(`Boolean cannot represent a non boolean value: ${str}`);
          return;
        case "ID":
          if (v.Kind !== K.StringValue && v.Kind !== K.BlockValue && v.Kind !== K.IntValue) {
            bad(`ID cannot represent a non-string and non-integer value: ${str}`);
          }
          return;
        default:
          return;
      }
    case "ENUM":
      if (v.Kind !== K.EnumValue)
        bad(`Enum "${def.Name}" cannot represent non-enum value: ${str}.`);
      if (!(def.EnumValues ?? []).some((e: Node) => e.Name === v.Raw)) {
        bad(`Value "${v.Raw}" does not exist in "${def.Name}" enum.`);
      }
      return;
    case "INPUT_OBJECT": {
      if (v.Kind !== K.ObjectValue) bad(`Expected value of type "${typeString(t)}", found ${str}.`);
      const fields: Node[] = def.Fields ?? [];
      const seen = new Set<string>();
      for (const c of v.Children ?? []) {
        if (seen.has(c.Name)) bad(`There can be only one input field named "${c.Name}".`);
        seen.add(c.Name);
        const f = fields.find((x) => x.Name === c.Name);
        if (!f) bad(`Field "${c.Name}" is not defined by type "${def.Name}".`);
        checkValue(s, f!.Type, c.Value);
      }
      for (const f of fields) {
        if (f.Type.NonNull && !f.DefaultValue && !seen.has(f.Name)) {
          bad(
            `Field "${def.Name}.${f.Name}" of required type "${typeString(f.Type)}" was not provided.`,
          );
        }
      }
      return;
    }
    default:
      bad(`Expected value of type "${typeString(t)}", found ${str}.`);
  }
}
