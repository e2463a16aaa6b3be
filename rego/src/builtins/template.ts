/**
 * strings.render_template: a subset of Go's text/template — `{{.a.b}}`,
 * variables, `if`/`else if`/`else`, `range` (with `$i, $v :=`), `with`,
 * pipes, `{{-`/`-}}` trimming, comments, and the common functions
 * (eq ne lt le gt ge and or not len index print printf). A missing key
 * prints `<undefined>`, as OPA renders it.
 */
import { BuiltinError } from "../errors.ts";
import { compare, equal, RObject, RSet, type Value } from "../value.ts";
import { formatNumber } from "./format.ts";
import { sprintf } from "./sprintf.ts";
import type { BuiltinTable } from "./types.ts";
import { def, OBJ, obj, STR, str } from "./util.ts";

type Node =
  | { kind: "text"; text: string }
  | { kind: "action"; pipe: string }
  | { kind: "if"; pipe: string; body: Node[]; else: Node[] }
  | { kind: "with"; pipe: string; body: Node[]; else: Node[] }
  | { kind: "range"; pipe: string; vars: string[]; body: Node[]; else: Node[] };

const MISSING = Symbol("missing");
type TValue = Value | typeof MISSING;

class TemplateError extends Error {}

/** Splits text and actions, applying trim markers. */
function lex(src: string): ({ text: string } | { action: string })[] {
  const out: ({ text: string } | { action: string })[] = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf("{{", i);
    if (open < 0) {
      out.push({ text: src.slice(i) });
      break;
    }
    let text = src.slice(i, open);
    const close = src.indexOf("}}", open + 2);
    if (close < 0) throw new TemplateError("unclosed action");
    let body = src.slice(open + 2, close);
    let next = close + 2;
    if (/^- /.test(body) || body === "-") {
      text = text.replace(/\s+$/, "");
      body = body.slice(1);
    }
    if (/ -$/.test(body)) {
      body = body.slice(0, -1);
      const m = /^\s*/.exec(src.slice(next))!;
      next += m[0].length;
    }
    if (text) out.push({ text });
    const trimmed = body.trim();
    if (!(trimmed.startsWith("/*") && trimmed.endsWith("*/"))) out.push({ action: trimmed });
    i = next;
  }
  return out;
}

function parse(src: string): Node[] {
  const items = lex(src);
  let pos = 0;
  /** Nodes up to the next `else…`/`end` action, and that action. */
  const block = (): [Node[], string] => {
    const nodes: Node[] = [];
    while (pos < items.length) {
      const it = items[pos++]!;
      if ("text" in it) {
        nodes.push({ kind: "text", text: it.text });
        continue;
      }
      const kw = /^(if|range|with|else|end)\b\s*(.*)$/s.exec(it.action);
      if (!kw) nodes.push({ kind: "action", pipe: it.action });
      else if (kw[1] === "end" || kw[1] === "else") return [nodes, it.action];
      else nodes.push(control(kw[1]!, kw[2] ?? ""));
    }
    return [nodes, "EOF"];
  };
  /** An if/range/with block; `else if` chains share the final `end`. */
  const control = (word: string, rest: string): Node => {
    const [body, term] = block();
    let elseNodes: Node[] = [];
    if (term.startsWith("else")) {
      const chained = /^(if|with)\s+(.*)$/s.exec(term.slice(4).trim());
      if (chained) elseNodes = [control(chained[1]!, chained[2]!)];
      else {
        const [eb, et] = block();
        if (et !== "end") throw new TemplateError(`unexpected EOF in ${word}`);
        elseNodes = eb;
      }
    } else if (term !== "end") throw new TemplateError(`unexpected EOF in ${word}`);
    if (word === "range") {
      const m = /^(\$\w*)(?:\s*,\s*(\$\w*))?\s*:?=\s*(.*)$/s.exec(rest);
      const vars = m ? [m[1]!, ...(m[2] ? [m[2]] : [])] : [];
      return { kind: "range", pipe: m ? m[3]! : rest, vars, body, else: elseNodes };
    }
    return { kind: word === "with" ? "with" : "if", pipe: rest, body, else: elseNodes };
  };
  const [nodes, term] = block();
  if (term !== "EOF") throw new TemplateError(`unexpected {{${term}}}`);
  return nodes;
}

interface Scope {
  dot: TValue;
  vars: Map<string, TValue>;
}

function field(v: TValue, path: string[]): TValue {
  let cur = v;
  for (const p of path) {
    if (cur instanceof RObject) cur = cur.get(p) ?? MISSING;
    else return MISSING;
  }
  return cur;
}

function tokens(pipe: string): string[] {
  return pipe.match(/"(?:\\.|[^"\\])*"|`[^`]*`|\(|\)|\||[^\s()|]+/g) ?? [];
}

function truthy(v: TValue): boolean {
  if (v === MISSING || v === null || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof RObject || v instanceof RSet) return v.size > 0;
  return true;
}

const FUNCS: Record<string, (args: TValue[]) => TValue> = {
  eq: ([a, ...rest]) => rest.some((b) => equal(a as Value, b as Value)),
  ne: ([a, b]) => !equal(a as Value, b as Value),
  lt: ([a, b]) => compare(a as Value, b as Value) < 0,
  le: ([a, b]) => compare(a as Value, b as Value) <= 0,
  gt: ([a, b]) => compare(a as Value, b as Value) > 0,
  ge: ([a, b]) => compare(a as Value, b as Value) >= 0,
  not: ([a]) => !truthy(a as TValue),
  and: (xs) => xs.find((x) => !truthy(x)) ?? xs[xs.length - 1] ?? null,
  or: (xs) => xs.find((x) => truthy(x)) ?? xs[xs.length - 1] ?? null,
  len: ([a]) =>
    typeof a === "string"
      ? new TextEncoder().encode(a).length
      : Array.isArray(a)
        ? a.length
        : a instanceof RObject || a instanceof RSet
          ? a.size
          : 0,
  index: ([a, ...keys]) => {
    let cur = a as TValue;
    for (const k of keys) {
      if (Array.isArray(cur)) cur = (cur as Value[])[Number(k)] ?? MISSING;
      else if (cur instanceof RObject) cur = cur.get(k as Value) ?? MISSING;
      else return MISSING;
    }
    return cur;
  },
  print: (xs) => xs.map(show).join(""),
  printf: ([f, ...xs]) =>
    sprintf(
      String(f),
      xs.map((x) => (x === MISSING ? null : x)),
    ),
};

function evalPipe(pipe: string, scope: Scope): TValue {
  const toks = tokens(pipe);
  let pos = 0;
  const operand = (): TValue => {
    const t = toks[pos++]!;
    if (t === "(") {
      const v = command();
      if (toks[pos++] !== ")") throw new TemplateError("unclosed parenthesis");
      return v;
    }
    if (t.startsWith('"')) return JSON.parse(t) as string;
    if (t.startsWith("`")) return t.slice(1, -1);
    if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
    if (t === "true" || t === "false") return t === "true";
    if (t === "nil") return null;
    if (t === ".") return scope.dot;
    if (t.startsWith(".")) return field(scope.dot, t.slice(1).split("."));
    if (t.startsWith("$")) {
      const [name, ...path] = t.split(".");
      if (!scope.vars.has(name!)) throw new TemplateError(`undefined variable: ${name}`);
      return field(scope.vars.get(name!)!, path);
    }
    throw new TemplateError(`function ${JSON.stringify(t)} not defined`);
  };
  const command = (piped?: TValue[]): TValue => {
    const t = toks[pos];
    if (t !== undefined && /^[A-Za-z_]\w*$/.test(t) && !["true", "false", "nil"].includes(t)) {
      pos++;
      const f = FUNCS[t];
      if (!f) throw new TemplateError(`function ${JSON.stringify(t)} not defined`);
      const args: TValue[] = [];
      while (pos < toks.length && toks[pos] !== "|" && toks[pos] !== ")") args.push(operand());
      return f([...args, ...(piped ?? [])]);
    }
    const v = operand();
    return v;
  };
  let v = command();
  while (toks[pos] === "|") {
    pos++;
    v = command([v]);
  }
  return v;
}

function show(v: TValue): string {
  if (v === MISSING) return "<undefined>";
  if (v === null) return "<nil>";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "bigint") return formatNumber(v);
  if (typeof v === "boolean") return String(v);
  if (v instanceof RObject) {
    return `map[${v
      .sortedEntries()
      .map(([k, x]) => `${show(k)}:${show(x)}`)
      .join(" ")}]`;
  }
  const items = v instanceof RSet ? v.sorted() : (v as readonly Value[]);
  return `[${items.map(show).join(" ")}]`;
}

function exec(nodes: Node[], scope: Scope): string {
  let out = "";
  for (const n of nodes) {
    if (n.kind === "text") out += n.text;
    else if (n.kind === "action") {
      const decl = /^(\$\w+)\s*:?=\s*(.*)$/s.exec(n.pipe);
      if (decl) scope.vars.set(decl[1]!, evalPipe(decl[2]!, scope));
      else out += show(evalPipe(n.pipe, scope));
    } else if (n.kind === "if") {
      out += exec(truthy(evalPipe(n.pipe, scope)) ? n.body : n.else, scope);
    } else if (n.kind === "with") {
      const v = evalPipe(n.pipe, scope);
      out += truthy(v) ? exec(n.body, { dot: v, vars: scope.vars }) : exec(n.else, scope);
    } else {
      const v = evalPipe(n.pipe, scope);
      const entries: [Value, Value][] =
        v instanceof RObject
          ? v.sortedEntries().map(([k, x]) => [k, x])
          : Array.isArray(v) || v instanceof RSet
            ? (v instanceof RSet ? v.sorted() : (v as Value[])).map((x, i) => [i, x])
            : [];
      if (entries.length === 0) out += exec(n.else, scope);
      for (const [k, x] of entries) {
        const vars = new Map(scope.vars);
        if (n.vars.length === 1) vars.set(n.vars[0]!, x);
        if (n.vars.length === 2) vars.set(n.vars[0]!, k).set(n.vars[1]!, x);
        out += exec(n.body, { dot: x, vars });
      }
    }
  }
  return out;
}

export function renderTemplate(template: string, vars: RObject): string {
  try {
    return exec(parse(template), { dot: vars, vars: new Map([["$", vars]]) });
  } catch (e) {
    if (e instanceof TemplateError) throw new BuiltinError(`strings.render_template: ${e.message}`);
    throw e;
  }
}

export const templateBuiltins: BuiltinTable = [
  def("strings.render_template", [STR, OBJ], STR, (args) =>
    renderTemplate(
      str("strings.render_template", args, 0),
      obj("strings.render_template", args, 1),
    ),
  ),
];
