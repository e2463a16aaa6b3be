/** Set builtins: intersection and union of a set of sets (and deprecated set_diff). */
import { OperandTypeError } from "../errors.ts";
import { RSet, typeName, type Value } from "../value.ts";
import type { BuiltinTable } from "./types.ts";
import { def, DEPRECATED, set, SET } from "./util.ts";

function setOfSets(name: string, args: readonly Value[]): RSet[] {
  return [...set(name, args, 0)].map((x) => {
    if (!(x instanceof RSet)) {
      throw new OperandTypeError(
        `${name}: operand 1 must be set of sets but got set containing ${typeName(x)}`,
      );
    }
    return x;
  });
}

export const setBuiltins: BuiltinTable = [
  def("intersection", [{ set: SET }], SET, (args) => {
    const sets = setOfSets("intersection", args);
    if (sets.length === 0) return new RSet();
    const [first, ...rest] = sets as [RSet, ...RSet[]];
    return new RSet([...first].filter((x) => rest.every((s) => s.has(x))));
  }),
  def(
    "union",
    [{ set: SET }],
    SET,
    (args) => new RSet(setOfSets("union", args).flatMap((s) => [...s])),
  ),
  def(
    "set_diff",
    [SET, SET],
    SET,
    (args) => {
      const b = set("set_diff", args, 1);
      return new RSet([...set("set_diff", args, 0)].filter((x) => !b.has(x)));
    },
    DEPRECATED,
  ),
];
