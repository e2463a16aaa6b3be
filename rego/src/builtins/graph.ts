/** graph.reachable, graph.reachable_paths and the `walk` relation. */
import { RObject, RSet, type Value } from "../value.ts";
import type { BuiltinTable } from "./types.ts";
import { ANY, def, OBJ, obj, typeError } from "./util.ts";

/** Vertices of an edge list: arrays in order, sets in OPA's order, anything else none. */
function vertices(v: Value | undefined): readonly Value[] {
  if (Array.isArray(v)) return v as readonly Value[];
  if (v instanceof RSet) return v.sorted();
  return [];
}

function initial(name: string, args: readonly Value[]): readonly Value[] {
  const v = args[1] as Value;
  if (!Array.isArray(v) && !(v instanceof RSet)) typeError(name, 2, "one of {array, set}", v);
  return vertices(v);
}

function reachable(args: readonly Value[]): Value {
  const graph = obj("graph.reachable", args, 0);
  const queue = [...initial("graph.reachable", args)];
  const reached = new RSet();
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    const edges = graph.get(node);
    if (edges === undefined) continue;
    for (const n of vertices(edges)) if (!reached.has(n)) queue.push(n);
    reached.add(node);
  }
  return reached;
}

/** OPA's path builder: a path ends at a leaf, at a missing node, or before a revisit. */
function buildPaths(graph: RObject, root: Value, path: Value[], out: RSet, reached: RSet): void {
  const edges = graph.get(root);
  if (edges === undefined) {
    out.add(path);
    return;
  }
  const here = [...path, root];
  const next = vertices(edges);
  if (next.length === 0) {
    out.add(here);
    return;
  }
  for (const n of next) {
    if (reached.has(n)) out.add(here);
    else {
      reached.add(root);
      buildPaths(graph, n, here, out, reached);
    }
  }
}

function reachablePaths(args: readonly Value[]): Value {
  const graph = obj("graph.reachable_paths", args, 0);
  const out = new RSet();
  for (const node of initial("graph.reachable_paths", args)) {
    const edges = graph.get(node);
    if (edges === undefined) continue;
    const next = vertices(edges);
    if (next.length === 0) out.add([node]);
    for (const n of next) buildPaths(graph, n, [node], out, new RSet([node]));
  }
  return out;
}

/** Every `[path, value]` pair of a document, the document itself first. */
export function* walk(v: Value, path: Value[] = []): Generator<Value> {
  yield [path, v];
  if (Array.isArray(v)) {
    const items = v as readonly Value[];
    for (let i = 0; i < items.length; i++) yield* walk(items[i]!, [...path, i]);
  } else if (v instanceof RObject) {
    for (const [k, x] of v.sortedEntries()) yield* walk(x, [...path, k]);
  } else if (v instanceof RSet) {
    for (const x of v.sorted()) yield* walk(x, [...path, x]);
  }
}

export const graphBuiltins: BuiltinTable = [
  def("graph.reachable", [OBJ, ANY], { set: ANY }, reachable),
  def("graph.reachable_paths", [OBJ, ANY], { set: { array: ANY } }, reachablePaths),
  def("walk", [ANY], { static: [{ array: ANY }, ANY] }, ([v]) => [...walk(v as Value)][0], {
    relation: ([v]) => walk(v as Value),
  }),
];
