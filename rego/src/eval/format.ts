import { RObject, RSet, type Value } from "../value.ts";

/** A value as Rego prints a term: `[1, 2]`, `{"a": 1}`, `{1}`, `set()`. */
export function termString(v: Value): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "string":
      return JSON.stringify(v);
    case "number":
    case "bigint":
    case "boolean":
      return String(v);
  }
  if (v instanceof RSet)
    return v.size === 0 ? "set()" : `{${v.sorted().map(termString).join(", ")}}`;
  if (v instanceof RObject) {
    return `{${v
      .sortedEntries()
      .map(([k, x]) => `${termString(k)}: ${termString(x)}`)
      .join(", ")}}`;
  }
  return `[${(v as readonly Value[]).map(termString).join(", ")}]`;
}

/** How `print` and template strings show a value: strings bare, the rest as terms. */
export function displayString(v: Value | undefined): string {
  if (v === undefined) return "<undefined>";
  return typeof v === "string" ? v : termString(v);
}
