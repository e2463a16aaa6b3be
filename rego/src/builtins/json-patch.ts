/** json.patch: RFC 6902 operations over Rego values (paths may also be arrays of segments). */
import { equal, RObject, RSet, type Value } from "../value.ts";
import type { BuiltinTable } from "./types.ts";
import { ANY, arr, def, fail } from "./util.ts";

class PatchError extends Error {}

function pointer(p: Value | undefined): Value[] {
  if (Array.isArray(p)) return [...(p as readonly Value[])];
  if (typeof p !== "string") throw new PatchError("invalid path");
  if (p === "") return [];
  // As OPA's parsePath: leading slashes are dropped (so "a/b" works too).
  return p
    .replace(/^\/+/, "")
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function arrayIndex(seg: Value, length: number, forAdd: boolean): number {
  if (forAdd && seg === "-") return length;
  const n = typeof seg === "string" && /^(0|[1-9]\d*)$/.test(seg) ? Number(seg) : seg;
  if (
    typeof n !== "number" ||
    !Number.isInteger(n) ||
    n < 0 ||
    n > (forAdd ? length : length - 1)
  ) {
    throw new PatchError("index out of range");
  }
  return n;
}

function getAt(doc: Value, path: readonly Value[]): Value {
  let cur = doc;
  for (const seg of path) {
    if (cur instanceof RObject) {
      const next = cur.get(seg);
      if (next === undefined) throw new PatchError("path does not exist");
      cur = next;
    } else if (Array.isArray(cur)) {
      const items = cur as readonly Value[];
      cur = items[arrayIndex(seg, items.length, false)]!;
    } else if (cur instanceof RSet && cur.has(seg)) {
      cur = seg;
    } else throw new PatchError("path does not exist");
  }
  return cur;
}

/** Rebuilds `doc` with `edit` applied to the container at `path`'s parent. */
function update(
  doc: Value,
  path: readonly Value[],
  edit: (parent: Value, last: Value) => Value,
): Value {
  if (path.length === 0) throw new PatchError("empty path");
  const [head, ...rest] = path as [Value, ...Value[]];
  if (rest.length === 0) return edit(doc, head);
  if (doc instanceof RObject) {
    const child = doc.get(head);
    if (child === undefined) throw new PatchError("path does not exist");
    const out = new RObject(doc.entries());
    out.set(head, update(child, rest, edit));
    return out;
  }
  if (Array.isArray(doc)) {
    const items = [...(doc as readonly Value[])];
    const i = arrayIndex(head, items.length, false);
    items[i] = update(items[i]!, rest, edit);
    return items;
  }
  if (doc instanceof RSet && doc.has(head)) {
    const out = new RSet([...doc].filter((x) => !equal(x, head)));
    out.add(update(head, rest, edit));
    return out;
  }
  throw new PatchError("path does not exist");
}

function add(doc: Value, path: readonly Value[], value: Value): Value {
  if (path.length === 0) return value;
  return update(doc, path, (parent, last) => {
    if (parent instanceof RObject) {
      const out = new RObject(parent.entries());
      out.set(last, value);
      return out;
    }
    if (Array.isArray(parent)) {
      const items = [...(parent as readonly Value[])];
      items.splice(arrayIndex(last, items.length, true), 0, value);
      return items;
    }
    if (parent instanceof RSet) {
      if (!equal(last, value)) throw new PatchError("set element must equal the added value");
      return new RSet([...parent, value]);
    }
    throw new PatchError("cannot add to scalar");
  });
}

function remove(doc: Value, path: readonly Value[]): Value {
  return update(doc, path, (parent, last) => {
    if (parent instanceof RObject) {
      if (!parent.has(last)) throw new PatchError("path does not exist");
      return new RObject([...parent.entries()].filter(([k]) => !equal(k, last)));
    }
    if (Array.isArray(parent)) {
      const items = [...(parent as readonly Value[])];
      items.splice(arrayIndex(last, items.length, false), 1);
      return items;
    }
    if (parent instanceof RSet && parent.has(last)) {
      return new RSet([...parent].filter((x) => !equal(x, last)));
    }
    throw new PatchError("path does not exist");
  });
}

function apply(doc: Value, op: Value): Value {
  if (!(op instanceof RObject)) throw new PatchError("operation must be an object");
  const kind = op.get("op");
  const path = pointer(op.get("path"));
  const value = op.get("value");
  switch (kind) {
    case "add":
      if (value === undefined) throw new PatchError("missing value");
      return add(doc, path, value);
    case "remove":
      return remove(doc, path);
    case "replace":
      if (value === undefined) throw new PatchError("missing value");
      if (path.length === 0) return value;
      getAt(doc, path);
      return add(remove(doc, path), path, value);
    case "move": {
      const from = pointer(op.get("from"));
      const moved = getAt(doc, from);
      if (from.length < path.length && from.every((s, i) => equal(s, path[i]!))) {
        throw new PatchError("cannot move into own child");
      }
      return add(remove(doc, from), path, moved);
    }
    case "copy":
      return add(doc, path, getAt(doc, pointer(op.get("from"))));
    case "test":
      if (value === undefined || !equal(getAt(doc, path), value)) {
        throw new PatchError("test failed");
      }
      return doc;
    default:
      throw new PatchError(`unknown op ${String(kind)}`);
  }
}

export const jsonPatchBuiltins: BuiltinTable = [
  def("json.patch", [ANY, { array: ANY }], ANY, (args) => {
    const ops = arr("json.patch", args, 1);
    let doc = args[0] as Value;
    try {
      for (const op of ops) doc = apply(doc, op);
    } catch (e) {
      if (e instanceof PatchError) fail("json.patch", e.message);
      throw e;
    }
    return doc;
  }),
];
