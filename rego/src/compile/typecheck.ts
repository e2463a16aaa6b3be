import type { Body, Term } from "../ast/nodes.ts";
import type { TypeSpec } from "../builtins/types.ts";
import { RegoError } from "../errors.ts";

/** The type of a literal term, when it is known without evaluating. */
function literalType(t: Term): string | undefined {
  switch (t.type) {
    case "scalar": {
      const v = t.value;
      if (v === null) return "null";
      if (typeof v === "bigint") return "number";
      return typeof v;
    }
    case "array":
    case "arraycompr":
      return "array";
    case "set":
    case "setcompr":
      return "set";
    case "object":
    case "objectcompr":
      return "object";
    case "template":
      return "string";
    default:
      return undefined;
  }
}

function accepts(spec: TypeSpec, type: string): boolean {
  if (spec === "any") return true;
  if (typeof spec === "string") return spec === type;
  if ("array" in spec || "static" in spec) return type === "array";
  if ("set" in spec) return type === "set";
  if ("object" in spec) return type === "object";
  return spec.oneOf.some((s) => accepts(s, type));
}

const SCALAR_ORDER: Readonly<Record<string, number>> = {
  null: 0,
  boolean: 1,
  number: 2,
  string: 3,
};

/** OPA's order of types (`types.Compare`): `any<...>` lists its members in it. */
function typeOrder(spec: TypeSpec): number {
  if (typeof spec === "string") return SCALAR_ORDER[spec] ?? 7;
  if ("array" in spec || "static" in spec) return 4;
  if ("object" in spec) return 5;
  if ("set" in spec) return 6;
  return 7;
}

/** A type as OPA prints it in `have`/`want` (`any<string, array[any]>`). */
function show(spec: TypeSpec): string {
  if (typeof spec === "string") return spec;
  if ("array" in spec) return `array[${show(spec.array)}]`;
  if ("static" in spec) return `array<${spec.static.map(show).join(", ")}>`;
  if ("set" in spec) return `set[${show(spec.set)}]`;
  if ("object" in spec) return `object[${show(spec.object[0])}: ${show(spec.object[1])}]`;
  const members = [...spec.oneOf].sort((a, b) => typeOrder(a) - typeOrder(b));
  return `any<${members.map(show).join(", ")}>`;
}

/**
 * OPA's compile-time check of literal operands against a builtin's
 * declared types (`count(1)` is a `rego_type_error`).
 */
export function checkOperands(
  name: string,
  specs: readonly TypeSpec[],
  args: readonly Term[],
  loc: Term["loc"],
): void {
  const types = args.slice(0, specs.length).map(literalType);
  const bad = types.some((t, i) => t !== undefined && !accepts(specs[i]!, t));
  if (!bad) return;
  const have = types.map((t) => t ?? "any").join(", ");
  const want = specs.map(show).join(", ");
  throw new RegoError(
    "rego_type_error",
    `${name}: invalid argument(s)\n\thave: (${have})\n\twant: (${want})`,
    loc,
  );
}

/** `x := 1` twice in one body, or `:=` on a function parameter: OPA's "var x assigned above". */
export function checkAssignments(body: Body, params: ReadonlySet<string> = new Set()): void {
  const seen = new Set<string>();
  for (const e of body) {
    const names: Term[] = [];
    if (e.kind === "assign") collectPatternVars(e.left, names);
    else if (e.kind === "some") names.push(...e.vars);
    for (const v of names) {
      if (v.type !== "var" || v.name === "_") continue;
      if (seen.has(v.name) || (e.kind === "assign" && params.has(v.name))) {
        throw new RegoError("rego_compile_error", `var ${v.name} assigned above`, v.loc);
      }
      if (e.kind === "assign") seen.add(v.name);
    }
  }
}

function collectPatternVars(t: Term, out: Term[]): void {
  if (t.type === "var") out.push(t);
  else if (t.type === "array") for (const i of t.items) collectPatternVars(i, out);
  else if (t.type === "object") for (const [, v] of t.pairs) collectPatternVars(v, out);
}
