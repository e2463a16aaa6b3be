/**
 * `internal.template_string`, the builtin OPA desugars `$"…{expr}…"` into.
 * Its operand is an array: literal parts are strings; each embedded
 * expression is a set of its values (empty when undefined). Strings print
 * bare, other values as Rego text ({@link formatValue}), undefined as
 * `<undefined>`; more than one value is a conflict.
 */
import { RegoError } from "../errors.ts";
import { RSet, type Value } from "../value.ts";
import { formatRaw } from "./format.ts";
import type { BuiltinTable } from "./types.ts";
import { arr, def, STR } from "./util.ts";

export function renderTemplateParts(parts: readonly Value[]): string {
  let out = "";
  for (const p of parts) {
    if (!(p instanceof RSet)) {
      out += formatRaw(p);
      continue;
    }
    if (p.size === 0) out += "<undefined>";
    else if (p.size > 1) {
      throw new RegoError(
        "eval_conflict_error",
        "template-strings must not produce multiple outputs",
      );
    } else out += formatRaw([...p][0]!);
  }
  return out;
}

export const templateStringBuiltins: BuiltinTable = [
  def("internal.template_string", [{ array: "any" }], STR, (args) =>
    renderTemplateParts(arr("internal.template_string", args, 0)),
  ),
];
