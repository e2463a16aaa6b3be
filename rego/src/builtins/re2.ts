/**
 * Go RE2 syntax translated to a JS `RegExp` (unicode mode): inline flags,
 * `\A` `\z`, `\Q…\E`, POSIX classes, `\pL`, `(?P<name>…)`, Go's `\s` and
 * `.`, and Go's leniency about lone `{`, `}` and escaped punctuation.
 */

const POSIX: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t ",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

const GO_SPACE = "\\t\\n\\f\\r ";
const SYNTAX = new Set([..."^$\\.*+?()[]{}|/"]);
const CATEGORY = /^(?:[CLMNPSZ][a-z]?|Any)$/;

export class Re2Error extends Error {}

function escapeLiteral(ch: string, inClass = false): string {
  return SYNTAX.has(ch) || (inClass && ch === "-") ? `\\${ch}` : ch;
}

function unicodeClass(name: string, negated: boolean): string {
  const p = negated ? "P" : "p";
  if (name === "Any") return negated ? "[^\\s\\S]" : "[\\s\\S]";
  return CATEGORY.test(name) ? `\\${p}{${name}}` : `\\${p}{Script=${name}}`;
}

/** Translates one escape starting at `s[i] === "\\"`; returns [text, next index]. */
function escapeAt(s: string, i: number, inClass: boolean): [string, number] {
  const c = s[i + 1];
  if (c === undefined) throw new Re2Error("trailing backslash at end of expression");
  switch (c) {
    case "A":
      return ["(?<![\\s\\S])", i + 2];
    case "z":
      return ["$(?![\\s\\S])", i + 2];
    case "s":
      return [inClass ? GO_SPACE : `[${GO_SPACE}]`, i + 2];
    case "S":
      return [`[^${GO_SPACE}]`, i + 2];
    case "d":
    case "D":
    case "w":
    case "W":
    case "b":
    case "B":
    case "t":
    case "n":
    case "r":
    case "f":
    case "v":
      return [`\\${c}`, i + 2];
    case "a":
      return ["\\x07", i + 2];
    case "x": {
      if (s[i + 2] === "{") {
        const end = s.indexOf("}", i + 3);
        if (end < 0) throw new Re2Error("invalid escape sequence");
        return [`\\u{${s.slice(i + 3, end)}}`, end + 1];
      }
      return [`\\x${s.slice(i + 2, i + 4)}`, i + 4];
    }
    case "p":
    case "P": {
      if (s[i + 2] === "{") {
        const end = s.indexOf("}", i + 3);
        if (end < 0) throw new Re2Error("invalid character class range");
        let name = s.slice(i + 3, end);
        let neg = c === "P";
        if (name.startsWith("^")) {
          name = name.slice(1);
          neg = !neg;
        }
        return [unicodeClass(name, neg), end + 1];
      }
      return [unicodeClass(s[i + 2] ?? "", c === "P"), i + 3];
    }
    case "Q": {
      const end = s.indexOf("\\E", i + 2);
      const lit = end < 0 ? s.slice(i + 2) : s.slice(i + 2, end);
      const text = [...lit].map((c) => escapeLiteral(c)).join("");
      return [text, end < 0 ? s.length : end + 2];
    }
    default:
      if (/[0-9]/.test(c)) {
        if (c === "0") return ["\\x00", i + 2];
        throw new Re2Error(`invalid escape sequence: \`\\${c}\``);
      }
      if (/[A-Za-z]/.test(c)) throw new Re2Error(`invalid escape sequence: \`\\${c}\``);
      return [escapeLiteral(c, inClass), i + 2];
  }
}

/** The code points outside a POSIX class (its ranges are ASCII), as class text. */
function complement(set: string): string {
  const cps: number[] = [];
  const src = set
    .replace(/\\x([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16)))
    .replace(
      /\\([tnvfr])/g,
      (_m, c: string) => ({ t: "\t", n: "\n", v: "\v", f: "\f", r: "\r" })[c]!,
    )
    .replace(/\\(.)/g, "$1");
  for (let i = 0; i < src.length; i++) {
    const lo = src.charCodeAt(i);
    if (src[i + 1] === "-" && i + 2 < src.length) {
      for (let c = lo; c <= src.charCodeAt(i + 2); c++) cps.push(c);
      i += 2;
    } else cps.push(lo);
  }
  const inSet = new Set(cps);
  let out = "";
  let start = -1;
  for (let c = 0; c <= 0x80; c++) {
    const outside = c === 0x80 || !inSet.has(c);
    if (outside && c < 0x80 && start < 0) start = c;
    if ((!outside || c === 0x80) && start >= 0) {
      out += `\\u{${start.toString(16)}}-\\u{${(c === 0x80 && outside ? 0x7f : c - 1).toString(16)}}`;
      start = -1;
    }
  }
  return `${out}\\u{80}-\\u{10ffff}`;
}

/** Translates a character class starting at `s[i] === "["`. */
function charClass(s: string, i: number): [string, number] {
  let out = "[";
  let j = i + 1;
  if (s[j] === "^") {
    out += "^";
    j++;
  }
  let first = true;
  while (j < s.length) {
    const c = s[j]!;
    if (c === "]" && !first) return [`${out}]`, j + 1];
    first = false;
    if (c === "[" && s[j + 1] === ":") {
      const end = s.indexOf(":]", j + 2);
      if (end > 0) {
        let name = s.slice(j + 2, end);
        const neg = name.startsWith("^");
        if (neg) name = name.slice(1);
        const set = POSIX[name];
        if (set === undefined) throw new Re2Error(`invalid character class range: \`[:${name}:]\``);
        out += neg ? complement(set) : set;
        j = end + 2;
        continue;
      }
    }
    if (c === "\\") {
      const [t, next] = escapeAt(s, j, true);
      out += t;
      j = next;
      continue;
    }
    if (
      c === "[" ||
      c === "]" ||
      c === "/" ||
      c === "{" ||
      c === "}" ||
      c === "|" ||
      c === "(" ||
      c === ")"
    ) {
      out += `\\${c}`;
    } else {
      const cp = String.fromCodePoint(s.codePointAt(j)!);
      out += cp;
      j += cp.length;
      continue;
    }
    j++;
  }
  throw new Re2Error(`missing closing ]: \`${s.slice(i)}\``);
}

export interface Translated {
  source: string;
  flags: string;
}

/** Translates a Go regular expression; throws {@link Re2Error} when Go would reject it. */
export function translateRe2(pattern: string): Translated {
  const flags = new Set<string>(["u"]);
  let dotAll = false;
  let out = "";
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "\\") {
      const [t, next] = escapeAt(pattern, i, false);
      out += t;
      i = next;
    } else if (c === "[") {
      const [t, next] = charClass(pattern, i);
      out += t;
      i = next;
    } else if (c === "(" && pattern[i + 1] === "?") {
      const rest = pattern.slice(i + 2);
      const named = /^P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
      const inline = /^([imsU-]*)(\)|:)/.exec(rest);
      if (named) {
        out += `(?<${named[1]}>`;
        i += 2 + named[0].length;
      } else if (inline) {
        const on = inline[1]!.split("-")[0]!;
        if (on.includes("i")) flags.add("i");
        if (on.includes("m")) flags.add("m");
        if (on.includes("s")) dotAll = true;
        out += inline[2] === ":" ? "(?:" : "";
        i += 2 + inline[0].length;
      } else if (rest.startsWith(":")) {
        out += "(?:";
        i += 3;
      } else
        throw new Re2Error(`invalid or unsupported Perl syntax: \`${pattern.slice(i, i + 3)}\``);
    } else if (c === ".") {
      out += dotAll ? "[\\s\\S]" : "[^\\n]";
      i++;
    } else if (c === "{") {
      const rep = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
      if (rep) {
        if (Number(rep[1]) > 1000 || Number(rep[3] || 0) > 1000) {
          throw new Re2Error(`invalid repeat count: \`${rep[0]}\``);
        }
        out += rep[0];
        i += rep[0].length;
      } else {
        out += "\\{";
        i++;
      }
    } else if (c === "}" || c === "]" || c === "/") {
      out += `\\${c}`;
      i++;
    } else {
      const cp = String.fromCodePoint(pattern.codePointAt(i)!);
      out += cp;
      i += cp.length;
    }
  }
  return { source: out, flags: [...flags].join("") };
}
