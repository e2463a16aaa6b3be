/** json.filter and json.remove: keep or drop the parts of a document named by paths. */
import { OperandTypeError } from "../errors.ts";
import { RObject, RSet, typeName, type Value } from "../value.ts";
import type { BuiltinTable, TypeSpec } from "./types.ts";
import { ANY, def, OBJ, obj, typeError } from "./util.ts";

/** A trie of path segments; `end` marks a whole path. */
interface Trie {
  end: boolean;
  children: Map<string, { key: Value; node: Trie }>;
}

const segKey = (v: Value): string => (typeof v === "string" ? v : `\u0000${JSON.stringify(v)}`);

function paths(name: string, args: readonly Value[], i: number): Trie {
  const v = args[i] as Value;
  if (!Array.isArray(v) && !(v instanceof RSet)) typeError(name, i + 1, "one of {set, array}", v);
  const root: Trie = { end: false, children: new Map() };
  for (const p of Array.isArray(v) ? (v as readonly Value[]) : [...(v as RSet)]) {
    let segs: readonly Value[];
    if (typeof p === "string") {
      // OPA: leading slashes dropped, JSON-pointer escapes (~1 is "/", ~0 is "~") undone.
      segs =
        p === ""
          ? []
          : p
              .replace(/^\/+/, "")
              .split("/")
              .map((x) => x.replace(/~1/g, "/").replace(/~0/g, "~"));
    } else if (Array.isArray(p)) segs = p as readonly Value[];
    else {
      throw new OperandTypeError(
        `${name}: operand ${i + 1} must be one of {set, array} containing string paths or array of path segments but got ${typeName(p)}`,
      );
    }
    let node = root;
    for (const s of segs) {
      const k = segKey(s);
      let child = node.children.get(k);
      if (!child) {
        child = { key: s, node: { end: false, children: new Map() } };
        node.children.set(k, child);
      }
      node = child.node;
    }
    node.end = true;
  }
  return root;
}

/** Array index named by a path segment ("0" or 0). */
function index(seg: Value, length: number): number | undefined {
  const n = typeof seg === "string" && /^\d+$/.test(seg) ? Number(seg) : seg;
  return typeof n === "number" && Number.isInteger(n) && n >= 0 && n < length ? n : undefined;
}

function lookup(o: RObject, seg: Value): Value | undefined {
  return o.get(seg);
}

function filter(v: Value, t: Trie): Value | undefined {
  if (t.end) return v;
  if (v instanceof RObject) {
    const out = new RObject();
    for (const { key, node } of t.children.values()) {
      const x = lookup(v, key);
      if (x === undefined) continue;
      const kept = filter(x, node);
      if (kept !== undefined) out.set(key, kept);
    }
    return out;
  }
  if (Array.isArray(v)) {
    const items = v as readonly Value[];
    const picked = new Map<number, Value>();
    for (const { key, node } of t.children.values()) {
      const i = index(key, items.length);
      if (i === undefined) continue;
      const kept = filter(items[i]!, node);
      if (kept !== undefined) picked.set(i, kept);
    }
    return [...picked.entries()].sort((a, b) => a[0] - b[0]).map(([, x]) => x);
  }
  if (v instanceof RSet) {
    return new RSet([...t.children.values()].filter(({ key }) => v.has(key)).map(({ key }) => key));
  }
  return undefined;
}

function remove(v: Value, t: Trie): Value | undefined {
  if (t.end) return undefined;
  if (v instanceof RObject) {
    const out = new RObject();
    for (const [k, x] of v.entries()) {
      const child = t.children.get(segKey(k));
      if (!child) out.set(k, x);
      else {
        const kept = remove(x, child.node);
        if (kept !== undefined) out.set(k, kept);
      }
    }
    return out;
  }
  if (Array.isArray(v)) {
    const items = v as readonly Value[];
    const out: Value[] = [];
    items.forEach((x, i) => {
      const child = t.children.get(String(i)) ?? t.children.get(segKey(i));
      if (!child) out.push(x);
      else {
        const kept = remove(x, child.node);
        if (kept !== undefined) out.push(kept);
      }
    });
    return out;
  }
  if (v instanceof RSet) {
    return new RSet([...v].filter((x) => !t.children.get(segKey(x))?.node.end));
  }
  return v;
}

const PATHS: TypeSpec = { oneOf: [{ array: ANY }, { set: ANY }] };

export const jsonPathBuiltins: BuiltinTable = [
  def("json.filter", [OBJ, PATHS], ANY, (args) =>
    filter(obj("json.filter", args, 0), paths("json.filter", args, 1)),
  ),
  def("json.remove", [OBJ, PATHS], ANY, (args) =>
    remove(obj("json.remove", args, 0), paths("json.remove", args, 1)),
  ),
];
