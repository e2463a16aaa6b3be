/** regex.* builtins over Go RE2 patterns (translated by ./re2.ts, compiled once). */
import type { Value } from "../value.ts";
import { globsMatch } from "./globs-intersect.ts";
import { Re2Error, translateRe2 } from "./re2.ts";
import type { BuiltinTable } from "./types.ts";
import { ANY, BOOL, def, DEPRECATED, fail, int, NUM, STR, str } from "./util.ts";

const compiled = new Map<string, RegExp | Error>();

/** Compiles a Go pattern; the result is shared across queries (RegExps here are stateless). */
export function compileRe2(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (re === undefined) {
    try {
      const t = translateRe2(pattern);
      re = new RegExp(t.source, `${t.flags}g`);
    } catch (e) {
      re = new Error(
        e instanceof Error ? e.message.replace(/^Invalid regular expression: /, "") : "invalid",
      );
    }
    if (compiled.size > 5000) compiled.clear();
    compiled.set(pattern, re);
  }
  if (re instanceof Error) throw re;
  return re;
}

function regexOperand(name: string, args: readonly Value[], i: number): RegExp {
  const pattern = str(name, args, i);
  try {
    return compileRe2(pattern);
  } catch (e) {
    const detail = e instanceof Re2Error || e instanceof Error ? e.message : String(e);
    return fail(name, `error parsing regexp: ${detail}`);
  }
}

/** All matches as Go's FindAll: empty matches right after a match are skipped. */
export function findAll(re: RegExp, s: string, limit: number): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  let pos = 0;
  let prevEnd = -1;
  while (pos <= s.length && (limit < 0 || out.length < limit)) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) break;
    const start = m.index;
    const end = start + m[0].length;
    const step = start < s.length ? String.fromCodePoint(s.codePointAt(start)!).length : 1;
    if (end === start && start === prevEnd) {
      pos = start + step;
      continue;
    }
    out.push(m);
    prevEnd = end;
    pos = end === start ? end + step : end;
  }
  return out;
}

function test(re: RegExp, s: string): boolean {
  re.lastIndex = 0;
  return re.test(s);
}

/** Go's Regexp.Expand for `$1`, `${1}`, `$name`, `${name}` and `$$`. */
function expand(template: string, m: RegExpExecArray): string {
  return template.replace(
    /\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g,
    (_all, tok, braced, bare) => {
      if (tok === "$") return "$";
      const name: string = braced ?? bare;
      if (/^\d+$/.test(name)) return m[Number(name)] ?? "";
      return m.groups?.[name] ?? "";
    },
  );
}

function replace(args: readonly Value[]): string {
  const s = str("regex.replace", args, 0);
  const re = regexOperand("regex.replace", args, 1);
  const rep = str("regex.replace", args, 2);
  let out = "";
  let last = 0;
  for (const m of findAll(re, s, -1)) {
    out += s.slice(last, m.index) + expand(rep, m);
    last = m.index + m[0].length;
  }
  return out + s.slice(last);
}

/** Go's Regexp.Split(s, -1), including its treatment of matches at the edges. */
function split(args: readonly Value[]): string[] {
  const pattern = str("regex.split", args, 0);
  const re = regexOperand("regex.split", args, 0);
  const s = str("regex.split", args, 1);
  if (pattern.length > 0 && s.length === 0) return [""];
  const parts: string[] = [];
  let beg = 0;
  let end = 0;
  for (const m of findAll(re, s, -1)) {
    end = m.index;
    const mEnd = m.index + m[0].length;
    if (mEnd !== 0) parts.push(s.slice(beg, end));
    beg = mEnd;
  }
  if (end !== s.length) parts.push(s.slice(beg));
  return parts;
}

/** regex.template_match: literal text outside the delimiters, regex inside. */
function templateMatch(args: readonly Value[]): boolean {
  const name = "regex.template_match";
  const tpl = str(name, args, 0);
  const s = str(name, args, 1);
  const open = str(name, args, 2);
  const close = str(name, args, 3);
  let pattern = "^";
  let i = 0;
  while (i < tpl.length) {
    const start = tpl.indexOf(open, i);
    if (start < 0) {
      pattern += quoteMeta(tpl.slice(i));
      break;
    }
    pattern += quoteMeta(tpl.slice(i, start));
    let depth = 1;
    let j = start + open.length;
    for (; j < tpl.length && depth > 0; j++) {
      if (tpl.startsWith(close, j)) depth--;
      else if (tpl.startsWith(open, j)) depth++;
      if (depth === 0) break;
    }
    if (depth !== 0) fail(name, `unbalanced braces in template: ${tpl}`);
    pattern += `(${tpl.slice(start + open.length, j)})`;
    i = j + close.length;
  }
  pattern += "$";
  const re = regexOperand(name, [pattern], 0);
  return test(re, s);
}

export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&");
}

export const regexBuiltins: BuiltinTable = [
  def("regex.match", [STR, STR], BOOL, (args) =>
    test(regexOperand("regex.match", args, 0), str("regex.match", args, 1)),
  ),
  def(
    "re_match",
    [STR, STR],
    BOOL,
    (args) => test(regexOperand("re_match", args, 0), str("re_match", args, 1)),
    DEPRECATED,
  ),
  def("regex.is_valid", [ANY], BOOL, ([p]) => {
    if (typeof p !== "string") return false;
    try {
      compileRe2(p);
      return true;
    } catch {
      return false;
    }
  }),
  def("regex.find_n", [STR, STR, NUM], { array: STR }, (args) => {
    const re = regexOperand("regex.find_n", args, 0);
    const n = Number(int("regex.find_n", args, 2));
    return findAll(re, str("regex.find_n", args, 1), n).map((m) => m[0]);
  }),
  def("regex.find_all_string_submatch_n", [STR, STR, NUM], { array: { array: STR } }, (args) => {
    const name = "regex.find_all_string_submatch_n";
    const re = regexOperand(name, args, 0);
    const n = Number(int(name, args, 2));
    return findAll(re, str(name, args, 1), n).map((m) => [...m].map((g) => g ?? ""));
  }),
  def("regex.split", [STR, STR], { array: STR }, split),
  def("regex.replace", [STR, STR, STR], STR, replace),
  def("regex.template_match", [STR, STR, STR, STR], BOOL, templateMatch),
  def("regex.globs_match", [STR, STR], BOOL, (args) =>
    globsMatch(str("regex.globs_match", args, 0), str("regex.globs_match", args, 1)),
  ),
];
