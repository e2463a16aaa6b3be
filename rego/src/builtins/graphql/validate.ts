/** Query validation against a schema (the rules gqlparser, and so OPA, applies). */
import { ValueKind as K, type Node } from "./parser.ts";
import {
  COMPOSITE,
  checkOverlap,
  compatible,
  didYouMean,
  fieldDef,
  fieldHint,
  LEAF,
  possible,
  spreadsItself,
} from "./rules.ts";
import { errAt, type Schema, typeName, typeString } from "./schema.ts";
import { checkValue, valueString } from "./values.ts";

interface Usage {
  name: string;
  type: Node;
  hasDefault: boolean;
  at: Node;
}

interface Walk {
  report: boolean;
  usages: Usage[];
  spreads: Set<string>;
}

export function validateQuery(s: Schema, doc: Node): void {
  const ops: Node[] = doc.Operations ?? [];
  const frags: Node[] = doc.Fragments ?? [];
  const fragByName = new Map<string, Node>();
  const fail = (pos: unknown, msg: string): never => {
    throw errAt(pos as Node, msg);
  };

  for (const op of ops) {
    if (op.Name === "" && ops.length > 1) {
      fail(op.Position, "This anonymous operation must be the only defined operation.");
    }
  }
  const opNames = new Set<string>();
  for (const op of ops) {
    if (op.Name === "") continue;
    if (opNames.has(op.Name))
      fail(op.Position, `There can be only one operation named "${op.Name}".`);
    opNames.add(op.Name);
  }
  for (const f of frags) {
    if (fragByName.has(f.Name))
      fail(f.Position, `There can be only one fragment named "${f.Name}".`);
    fragByName.set(f.Name, f);
  }

  const directives = (w: Walk, dirs: Node[] | null, location: string) => {
    const seen = new Set<string>();
    for (const d of dirs ?? []) {
      const def = s.directives.get(d.Name);
      if (!def) {
        if (w.report) fail(d.Position, `Unknown directive "@${d.Name}".`);
        continue;
      }
      if (w.report && !(def.Locations ?? []).includes(location)) {
        fail(d.Position, `Directive "@${d.Name}" may not be used on ${location}.`);
      }
      if (w.report && seen.has(d.Name) && !def.IsRepeatable) {
        fail(d.Position, `The directive "@${d.Name}" can only be used once at this location.`);
      }
      seen.add(d.Name);
      args(
        w,
        d.Arguments,
        def.Arguments,
        d,
        (a) => `Unknown argument "${a}" on directive "@${d.Name}".`,
        (a, t) =>
          `Directive "@${d.Name}" argument "${a}" of type "${t}" is required, but it was not provided.`,
      );
    }
  };

  const collect = (w: Walk, v: Node | null, type: Node | null, hasDefault: boolean) => {
    if (!v) return;
    if (v.Kind === K.Variable) {
      if (type) w.usages.push({ name: v.Raw, type, hasDefault, at: v });
      return;
    }
    if (v.Kind === K.ListValue) {
      for (const c of v.Children ?? []) collect(w, c.Value, type?.Elem ?? type, false);
    } else if (v.Kind === K.ObjectValue) {
      const def = type ? s.types.get(typeName(type)) : undefined;
      for (const c of v.Children ?? []) {
        const f = (def?.Fields ?? []).find((x: Node) => x.Name === c.Name);
        collect(w, c.Value, f?.Type ?? null, !!f?.DefaultValue);
      }
    }
  };

  const args = (
    w: Walk,
    given: Node[] | null,
    defs: Node[] | null,
    at: Node,
    unknown: (a: string) => string,
    missing: (a: string, t: string) => string,
  ) => {
    const seen = new Set<string>();
    for (const a of given ?? []) {
      if (w.report && seen.has(a.Name))
        fail(a.Position, `There can be only one argument named "${a.Name}".`);
      seen.add(a.Name);
      const def = (defs ?? []).find((d: Node) => d.Name === a.Name);
      if (!def) {
        if (w.report) {
          const names = (defs ?? []).map((d: Node) => d.Name);
          fail(at.Position, unknown(a.Name) + didYouMean(a.Name, names));
        }
        collect(w, a.Value, null, false);
        continue;
      }
      if (w.report) checkValue(s, def.Type, a.Value);
      collect(w, a.Value, def.Type, !!def.DefaultValue);
    }
    if (!w.report) return;
    for (const d of defs ?? []) {
      if (d.Type.NonNull && !d.DefaultValue && !seen.has(d.Name)) {
        fail(at.Position, missing(d.Name, typeString(d.Type)));
      }
    }
  };

  const selections = (w: Walk, set: Node[] | null, parent: Node | undefined) => {
    if (w.report) checkOverlap(set ?? [], parent);
    for (const sel of set ?? []) {
      if (sel.Alias !== undefined) {
        const def = fieldDef(parent, sel.Name);
        if (parent && !def && w.report) {
          fail(
            sel.Position,
            `Cannot query field "${sel.Name}" on type "${parent.Name}".${fieldHint(s, parent, sel.Name)}`,
          );
        }
        args(
          w,
          sel.Arguments,
          def?.Arguments ?? null,
          sel,
          (a) => `Unknown argument "${a}" on field "${parent?.Name}.${sel.Name}".`,
          (a, t) =>
            `Field "${sel.Name}" argument "${a}" of type "${t}" is required, but it was not provided.`,
        );
        directives(w, sel.Directives, "FIELD");
        const type = def ? s.types.get(typeName(def.Type)) : undefined;
        if (type && w.report) {
          if (LEAF.has(type.Kind) && sel.SelectionSet) {
            fail(
              sel.Position,
              `Field "${sel.Name}" must not have a selection since type "${type.Name}" has no subfields.`,
            );
          }
          if (COMPOSITE.has(type.Kind) && !sel.SelectionSet) {
            fail(
              sel.Position,
              `Field "${sel.Name}" of type "${typeString(def!.Type)}" must have a selection of subfields. Did you mean "${sel.Name} { ... }"?`,
            );
          }
        }
        selections(w, sel.SelectionSet, type && COMPOSITE.has(type.Kind) ? type : undefined);
      } else if (sel.TypeCondition !== undefined) {
        let type = parent;
        if (sel.TypeCondition) {
          type = s.types.get(sel.TypeCondition);
          if (w.report && !type) fail(sel.Position, `Unknown type "${sel.TypeCondition}".`);
          if (w.report && type && !COMPOSITE.has(type.Kind)) {
            fail(sel.Position, `Fragment cannot condition on non composite type "${type.Name}".`);
          }
          if (w.report && type && parent && COMPOSITE.has(type.Kind)) {
            const a = possible(s, parent);
            if (![...possible(s, type)].some((n) => a.has(n))) {
              fail(
                sel.Position,
                `Fragment cannot be spread here as objects of type "${parent.Name}" can never be of type "${type.Name}".`,
              );
            }
          }
        }
        directives(w, sel.Directives, "INLINE_FRAGMENT");
        selections(w, sel.SelectionSet, type);
      } else {
        const frag = fragByName.get(sel.Name);
        if (!frag) {
          if (w.report) fail(sel.Position, `Unknown fragment "${sel.Name}".`);
          continue;
        }
        directives(w, sel.Directives, "FRAGMENT_SPREAD");
        const type = s.types.get(frag.TypeCondition);
        if (w.report && type && parent && COMPOSITE.has(type.Kind)) {
          const a = possible(s, parent);
          if (![...possible(s, type)].some((n) => a.has(n))) {
            fail(
              sel.Position,
              `Fragment "${sel.Name}" cannot be spread here as objects of type "${parent.Name}" can never be of type "${type.Name}".`,
            );
          }
        }
        if (!w.spreads.has(sel.Name)) {
          w.spreads.add(sel.Name);
          selections({ ...w, report: false }, frag.SelectionSet, type);
        }
      }
    }
  };

  const used = new Set<string>();
  for (const op of ops) {
    const root =
      op.Operation === "mutation"
        ? s.mutation
        : op.Operation === "subscription"
          ? s.subscription
          : s.query;
    if (!root) fail(op.Position, `Schema does not support operation type "${op.Operation}"`);
    const vars = new Map<string, Node>();
    for (const v of op.VariableDefinitions ?? []) {
      if (vars.has(v.Variable))
        fail(v.Position, `There can be only one variable named "$${v.Variable}".`);
      vars.set(v.Variable, v);
      const t = s.types.get(typeName(v.Type));
      if (!t) fail(v.Position, `Unknown type "${typeName(v.Type)}".`);
      if (!["SCALAR", "ENUM", "INPUT_OBJECT"].includes(t!.Kind)) {
        fail(
          v.Position,
          `Variable "$${v.Variable}" cannot be non-input type "${typeString(v.Type)}".`,
        );
      }
      if (v.DefaultValue) checkValue(s, v.Type, v.DefaultValue);
      directives(
        { report: true, usages: [], spreads: new Set() },
        v.Directives,
        "VARIABLE_DEFINITION",
      );
    }
    if (op.Operation === "subscription" && (op.SelectionSet ?? []).length > 1) {
      fail(
        op.Position,
        op.Name
          ? `Subscription "${op.Name}" must select only one top level field.`
          : "Anonymous Subscription must select only one top level field.",
      );
    }
    const w: Walk = { report: true, usages: [], spreads: new Set() };
    directives(w, op.Directives, op.Operation.toUpperCase());
    selections(w, op.SelectionSet, root);
    for (const f of w.spreads) used.add(f);
    const usedVars = new Set<string>();
    for (const u of w.usages) {
      const v = vars.get(u.name);
      if (!v)
        fail(
          u.at.Position,
          op.Name
            ? `Variable "${valueString(u.at)}" is not defined by operation "${op.Name}".`
            : `Variable "${valueString(u.at)}" is not defined.`,
        );
      usedVars.add(u.name);
      const loc = { ...u.type };
      if ((v!.DefaultValue && v!.DefaultValue.Kind !== K.NullValue) || u.hasDefault)
        loc.NonNull = false;
      if (!compatible(v!.Type, loc)) {
        fail(
          u.at.Position,
          `Variable "$${u.name}" of type "${typeString(v!.Type)}" used in position expecting type "${typeString(u.type)}".`,
        );
      }
    }
    for (const v of vars.values()) {
      if (!usedVars.has(v.Variable)) {
        fail(
          v.Position,
          op.Name
            ? `Variable "$${v.Variable}" is never used in operation "${op.Name}".`
            : `Variable "$${v.Variable}" is never used.`,
        );
      }
    }
  }
  for (const f of frags) {
    const type = s.types.get(f.TypeCondition);
    if (!type) fail(f.Position, `Unknown type "${f.TypeCondition}".`);
    if (!COMPOSITE.has(type!.Kind)) {
      fail(
        f.Position,
        `Fragment "${f.Name}" cannot condition on non composite type "${f.TypeCondition}".`,
      );
    }
    const w: Walk = { report: true, usages: [], spreads: new Set([f.Name]) };
    directives(w, f.Directives, "FRAGMENT_DEFINITION");
    selections(w, f.SelectionSet, type);
    if (w.spreads.has(f.Name) && spreadsItself(f, fragByName)) {
      fail(f.Position, `Cannot spread fragment "${f.Name}" within itself.`);
    }
    if (!used.has(f.Name)) fail(f.Position, `Fragment "${f.Name}" is never used.`);
  }
}
