/** Array builtins: array.concat, array.slice, array.reverse, array.flatten. */
import type { Value } from "../value.ts";
import type { BuiltinTable } from "./types.ts";
import { ARR, arr, def, int, NUM } from "./util.ts";

/**
 * `n` within [0, max]. Module functions rather than local closures in
 * builtins: bundlers with keepNames (tsx, wrangler) name each local closure
 * as it is made, a cost paid per call.
 */
function clamp(n: number, max: number): number {
  return Math.min(Math.max(n, 0), max);
}

function slice(args: readonly Value[]): Value[] {
  const items = arr("array.slice", args, 0);
  const start = clamp(Number(int("array.slice", args, 1)), items.length);
  const stop = clamp(Number(int("array.slice", args, 2)), items.length);
  return start >= stop ? [] : items.slice(start, stop);
}

export const arrayBuiltins: BuiltinTable = [
  def("array.concat", [ARR, ARR], ARR, (args) => [
    ...arr("array.concat", args, 0),
    ...arr("array.concat", args, 1),
  ]),
  def("array.slice", [ARR, NUM, NUM], ARR, slice),
  def("array.reverse", [ARR], ARR, (args) => [...arr("array.reverse", args, 0)].reverse()),
  def("array.flatten", [ARR], ARR, (args) =>
    arr("array.flatten", args, 0).flatMap((x) => (Array.isArray(x) ? (x as Value[]) : [x])),
  ),
];
