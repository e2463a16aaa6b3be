/** Bitwise builtins over arbitrary-precision integers. */
import { OperandTypeError } from "../errors.ts";
import type { Value } from "../value.ts";
import * as N from "./numeric.ts";
import type { BuiltinTable } from "./types.ts";
import { def, fail, int, NUM } from "./util.ts";

const big = (name: string, args: readonly Value[], i: number) => N.toBigInt(int(name, args, i));

const binary = (name: string, op: (a: bigint, b: bigint) => bigint) =>
  def(name, [NUM, NUM], NUM, (args) => N.norm(op(big(name, args, 0), big(name, args, 1))));

function shiftAmount(name: string, args: readonly Value[]): bigint {
  const n = big(name, args, 1);
  if (n < 0n) {
    throw new OperandTypeError(
      `${name}: operand 2 must be an unsigned integer number but got a negative integer`,
    );
  }
  // A shift this large would build an integer of gigabytes.
  if (n > 1_000_000n) fail(name, "shift too large");
  return n;
}

export const bitBuiltins: BuiltinTable = [
  binary("bits.and", (a, b) => a & b),
  binary("bits.or", (a, b) => a | b),
  binary("bits.xor", (a, b) => a ^ b),
  def("bits.negate", [NUM], NUM, (args) => N.norm(~big("bits.negate", args, 0))),
  def("bits.lsh", [NUM, NUM], NUM, (args) =>
    N.norm(big("bits.lsh", args, 0) << shiftAmount("bits.lsh", args)),
  ),
  def("bits.rsh", [NUM, NUM], NUM, (args) =>
    N.norm(big("bits.rsh", args, 0) >> shiftAmount("bits.rsh", args)),
  ),
];
