/** Helpers for the query rules: lookups, fragment cycles, field overlap and hints. */
import type { Node } from "./parser.ts";
import { errAt, type Schema } from "./schema.ts";
import { quotedOrList, suggestionList } from "./suggest.ts";
import { valueString } from "./values.ts";

export const COMPOSITE = new Set(["OBJECT", "INTERFACE", "UNION"]);
export const LEAF = new Set(["SCALAR", "ENUM"]);
const TYPENAME: Node = {
  Name: "__typename",
  Type: { NamedType: "String", Elem: null, NonNull: true },
  Arguments: null,
};

export function fieldDef(parent: Node | undefined, name: string): Node | undefined {
  if (!parent) return undefined;
  if (name === "__typename") return TYPENAME;
  return (parent.Fields ?? []).find((f: Node) => f.Name === name);
}

export function possible(s: Schema, def: Node): Set<string> {
  if (def.Kind === "OBJECT") return new Set([def.Name]);
  return new Set((s.possibleTypes.get(def.Name) ?? []).map((d) => d.Name));
}

export function compatible(varType: Node, loc: Node): boolean {
  if (varType.NamedType !== loc.NamedType) return false;
  if (varType.Elem && !loc.Elem) return false;
  if (varType.Elem && !compatible(varType.Elem, loc.Elem)) return false;
  return loc.NonNull ? varType.NonNull : true;
}

/** OverlappingFieldsCanBeMerged, for fields of one selection set (and its untyped fragments). */
export function checkOverlap(set: Node[], parent: Node | undefined): void {
  if (!parent) return;
  const byKey = new Map<string, Node>();
  const visit = (sel: Node[]) => {
    for (const f of sel) {
      if (f.Alias === undefined) {
        if (
          f.TypeCondition !== undefined &&
          (!f.TypeCondition || f.TypeCondition === parent.Name)
        ) {
          visit(f.SelectionSet ?? []);
        }
        continue;
      }
      const prev = byKey.get(f.Alias);
      if (!prev) {
        byKey.set(f.Alias, f);
        continue;
      }
      const tail = "Use different aliases on the fields to fetch both if this was intentional.";
      if (prev.Name !== f.Name) {
        throw errAt(
          f.Position,
          `Fields "${f.Alias}" conflict because ${prev.Name} and ${f.Name} are different fields. ${tail}`,
        );
      }
      const key = (x: Node) =>
        JSON.stringify(
          (x.Arguments ?? [])
            .map((a: Node) => [a.Name, valueString(a.Value)])
            .sort((p: string[], q: string[]) => (p[0]! < q[0]! ? -1 : p[0]! > q[0]! ? 1 : 0)),
        );
      if (key(prev) !== key(f)) {
        throw errAt(
          f.Position,
          `Fields "${f.Alias}" conflict because they have differing arguments. ${tail}`,
        );
      }
    }
  };
  visit(set);
}

export function spreadsItself(f: Node, frags: Map<string, Node>): boolean {
  const seen = new Set<string>();
  const visit = (set: Node[] | null): boolean => {
    for (const sel of set ?? []) {
      if (sel.Alias === undefined && sel.TypeCondition === undefined) {
        if (sel.Name === f.Name) return true;
        if (seen.has(sel.Name)) continue;
        seen.add(sel.Name);
        if (visit(frags.get(sel.Name)?.SelectionSet ?? null)) return true;
      } else if (visit(sel.SelectionSet)) return true;
    }
    return false;
  };
  return visit(f.SelectionSet);
}

export function didYouMean(input: string, options: string[]): string {
  const list = suggestionList(input, options);
  return list.length ? ` Did you mean ${quotedOrList(list)}?` : "";
}

/** FieldsOnCorrectType's hint: types that have the field, else similar field names. */
export function fieldHint(s: Schema, parent: Node, name: string): string {
  if (parent.Kind === "INTERFACE" || parent.Kind === "UNION") {
    const objects: string[] = [];
    const interfaces: string[] = [];
    const count = new Map<string, number>();
    for (const t of s.possibleTypes.get(parent.Name) ?? []) {
      if (!(t.Fields ?? []).some((f: Node) => f.Name === name)) continue;
      objects.push(t.Name);
      for (const i of t.Interfaces ?? []) {
        const idef = s.types.get(i);
        if (!idef || !(idef.Fields ?? []).some((f: Node) => f.Name === name)) continue;
        if (!count.has(i)) interfaces.push(i);
        count.set(i, (count.get(i) ?? 0) + 1);
      }
    }
    const types = [...interfaces, ...objects].sort((a, b) => {
      const d = (count.get(b) ?? 0) - (count.get(a) ?? 0);
      return d !== 0 ? d : a < b ? -1 : a > b ? 1 : 0;
    });
    if (types.length) return ` Did you mean to use an inline fragment on ${quotedOrList(types)}?`;
    if (parent.Kind === "UNION") return "";
  }
  return didYouMean(
    name,
    (parent.Fields ?? []).map((f: Node) => f.Name),
  );
}
