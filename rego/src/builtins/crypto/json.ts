/**
 * JSON text to a Rego value, keeping integers beyond 2^53 exact (as OPA's
 * `json.Number` does) and letting the last of duplicate keys win, as Go does.
 */
import { RObject, type Value } from "../../value.ts";

export class JsonSyntaxError extends Error {}

const LITERALS: readonly (readonly [string, Value])[] = [
  ["true", true],
  ["false", false],
  ["null", null],
];

export function parseJson(text: string): Value {
  let i = 0;
  // Go's encoding/json texts: "invalid character 'x' <context>" or the end of input.
  const fail = (context: string): never => {
    if (i >= text.length) throw new JsonSyntaxError("unexpected end of JSON input");
    const c = text[i]!;
    const q = c === "'" ? "'\\''" : `'${JSON.stringify(c).slice(1, -1)}'`;
    throw new JsonSyntaxError(`invalid character ${q} ${context}`);
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const value = (): Value => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const o = new RObject();
      ws();
      if (text[i] === "}") {
        i++;
        return o;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail("looking for beginning of object key string");
        const k = str();
        ws();
        if (text[i] !== ":") fail("after object key");
        i++;
        o.set(k, value());
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return o;
        }
        return fail("after object key:value pair");
      }
    }
    if (c === "[") {
      i++;
      const a: Value[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return a;
      }
      for (;;) {
        a.push(value());
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return a;
        }
        return fail("after array element");
      }
    }
    if (c === '"') return str();
    for (const [word, v] of LITERALS) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i));
    if (!m || m[0] === "" || m[0] === "-") return fail("looking for beginning of value");
    i += m[0].length;
    if (!m[2] && !m[3]) {
      const n = Number(m[0]);
      return Number.isSafeInteger(n) ? n : BigInt(m[0]);
    }
    return Number(m[0]);
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === "\\") i++;
      else if (text.charCodeAt(i) < 0x20) fail("in string literal");
      i++;
    }
    if (i >= text.length) fail("");
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return fail("in string escape code");
    }
  };
  const v = value();
  ws();
  if (i < text.length) fail("after top-level value");
  return v;
}

/** Whether `text` is valid JSON (Go's `json.Valid`). */
export function isValidJson(text: string): boolean {
  try {
    parseJson(text);
    return true;
  } catch {
    return false;
  }
}
