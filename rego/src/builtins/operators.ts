/**
 * OPA's operator builtins: `+ - * / %` (plus minus mul div rem), comparisons
 * (equal neq lt gt lte gte) and set `&` `|` (and or). `-` also takes two sets.
 */
import { OperandTypeError } from "../errors.ts";
import { compare, equal, RSet, typeName, type Value } from "../value.ts";
import * as N from "./numeric.ts";
import type { BuiltinTable, TypeSpec } from "./types.ts";
import { ANY, BOOL, def, fail, NUM, num, SET, set } from "./util.ts";

// operands by index, not destructured: `([a, b]) =>` walks the array's iterator
const cmp = (name: string, test: (c: number) => boolean) =>
  def(name, [ANY, ANY], BOOL, (args) => test(compare(args[0] as Value, args[1] as Value)));

const arith = (name: string, op: (a: N.Num, b: N.Num) => N.Num) =>
  def(name, [NUM, NUM], NUM, (args) => op(num(name, args, 0), num(name, args, 1)));

const NUM_OR_SET: TypeSpec = { oneOf: [NUM, SET] };

function minus(args: readonly Value[]): Value {
  const a = args[0] as Value;
  if (a instanceof RSet) {
    const s = set("minus", args, 1);
    return new RSet([...a].filter((x) => !s.has(x)));
  }
  if (typeof a === "number" || typeof a === "bigint") return N.sub(a, num("minus", args, 1));
  throw new OperandTypeError(
    `minus: operand 1 must be one of {number, set} but got ${typeName(a)}`,
  );
}

export const operatorBuiltins: BuiltinTable = [
  def("equal", [ANY, ANY], BOOL, (args) => equal(args[0] as Value, args[1] as Value)),
  def("neq", [ANY, ANY], BOOL, (args) => !equal(args[0] as Value, args[1] as Value)),
  cmp("lt", (c) => c < 0),
  cmp("gt", (c) => c > 0),
  cmp("lte", (c) => c <= 0),
  cmp("gte", (c) => c >= 0),
  arith("plus", N.add),
  arith("mul", N.mul),
  def("minus", [NUM_OR_SET, NUM_OR_SET], NUM_OR_SET, minus),
  def("div", [NUM, NUM], NUM, (args) => {
    const a = num("div", args, 0);
    const b = num("div", args, 1);
    if (N.isZero(b)) fail("div", "divide by zero");
    return N.div(a, b);
  }),
  def("rem", [NUM, NUM], NUM, (args) => {
    const a = num("rem", args, 0);
    const b = num("rem", args, 1);
    if (!N.isInteger(a) || !N.isInteger(b)) fail("rem", "modulo on floating-point number");
    if (N.isZero(b)) fail("rem", "modulo by zero");
    return N.rem(a, b);
  }),
  def("and", [SET, SET], SET, (args) => {
    const a = set("and", args, 0);
    const b = set("and", args, 1);
    return new RSet([...a].filter((x) => b.has(x)));
  }),
  def("or", [SET, SET], SET, (args) => {
    const a = set("or", args, 0);
    const b = set("or", args, 1);
    return new RSet([...a, ...b]);
  }),
];
