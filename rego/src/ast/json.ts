import type { Body, Expr, Module, Rule, Term } from "./nodes.ts";

/**
 * The AST as JSON in OPA's shape (what `rego.parse_module` returns):
 * terms are `{type, value}`, refs list their terms, operators are calls.
 */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const ref = (...names: string[]): Json => ({
  type: "ref",
  value: names.map((n, i) => (i === 0 ? { type: "var", value: n } : { type: "string", value: n })),
});

export function termJSON(t: Term): Json {
  switch (t.type) {
    case "scalar": {
      const v = t.value;
      if (v === null) return { type: "null" };
      if (typeof v === "boolean") return { type: "boolean", value: v };
      if (typeof v === "number") return { type: "number", value: v };
      if (typeof v === "bigint") return { type: "number", value: Number(v) };
      if (typeof v === "string") return { type: "string", value: v };
      return { type: "null" };
    }
    case "var":
      return { type: "var", value: t.name };
    case "ref":
      return { type: "ref", value: [termJSON(t.head), ...t.path.map(termJSON)] };
    case "array":
      return { type: "array", value: t.items.map(termJSON) };
    case "set":
      return { type: "set", value: t.items.map(termJSON) };
    case "object":
      return { type: "object", value: t.pairs.map(([k, v]) => [termJSON(k), termJSON(v)]) };
    case "arraycompr":
      return {
        type: "arraycomprehension",
        value: { term: termJSON(t.term), body: bodyJSON(t.body) },
      };
    case "setcompr":
      return {
        type: "setcomprehension",
        value: { term: termJSON(t.term), body: bodyJSON(t.body) },
      };
    case "objectcompr":
      return {
        type: "objectcomprehension",
        value: { key: termJSON(t.key), value: termJSON(t.value), body: bodyJSON(t.body) },
      };
    case "call": {
      const fn = t.fn.type === "var" ? ref(...t.fn.name.split(".")) : termJSON(t.fn);
      return { type: "call", value: [fn, ...t.args.map(termJSON)] };
    }
    case "template":
      return {
        type: "templatestring",
        value: t.parts.map((p) =>
          typeof p === "string" ? { type: "string", value: p } : exprJSON(p, 0),
        ),
      };
  }
}

function exprJSON(e: Expr, index: number): { [k: string]: Json } {
  let terms: Json;
  switch (e.kind) {
    case "term":
      terms =
        e.term.type === "call" ? (termJSON(e.term) as { value: Json[] }).value : termJSON(e.term);
      break;
    case "unify":
      terms = [ref("eq"), termJSON(e.left), termJSON(e.right)];
      break;
    case "assign":
      terms = [ref("assign"), termJSON(e.left), termJSON(e.right)];
      break;
    case "some":
      terms = { type: "some", value: e.vars.map(termJSON) };
      break;
    case "somein": {
      const args = [...(e.key ? [termJSON(e.key)] : []), termJSON(e.value), termJSON(e.domain)];
      terms = {
        type: "some",
        value: [
          { type: "call", value: [ref("internal", e.key ? "member_3" : "member_2"), ...args] },
        ],
      };
      break;
    }
    case "every":
      terms = {
        type: "every",
        value: {
          ...(e.key ? { key: termJSON(e.key) } : {}),
          value: termJSON(e.value),
          domain: termJSON(e.domain),
          body: bodyJSON(e.body),
        },
      };
      break;
  }
  const out: { [k: string]: Json } = { index, terms };
  if (e.negated) out.negated = true;
  if (e.with.length)
    out.with = e.with.map((w) => ({ target: termJSON(w.target), value: termJSON(w.value) }));
  return out;
}

export function bodyJSON(body: Body): Json {
  return body.map((e, i) => exprJSON(e, i));
}

function ruleJSON(r: Rule): Json {
  const first = r.head.ref[0];
  const head: { [k: string]: Json } = {
    name: first?.type === "var" ? first.name : "",
    ref: r.head.ref.map(termJSON),
  };
  if (r.head.args) head.args = r.head.args.map(termJSON);
  if (r.head.key) head.key = termJSON(r.head.key);
  if (r.head.value) head.value = termJSON(r.head.value);
  else if (!r.head.key) head.value = { type: "boolean", value: true };
  if (r.head.assign) head.assign = true;
  const out: { [k: string]: Json } = { head, body: bodyJSON(r.body) };
  if (r.isDefault) out.default = true;
  if (r.elses.length) {
    // OPA nests else clauses: each one is the previous clause's `else`
    let chain: Json | undefined;
    for (let i = r.elses.length - 1; i >= 0; i--) {
      const e = r.elses[i]!;
      const clause: { [k: string]: Json } = {
        head: {
          ...head,
          ...(e.value ? { value: termJSON(e.value) } : { value: { type: "boolean", value: true } }),
        },
        body: bodyJSON(e.body),
      };
      if (chain) clause.else = chain;
      chain = clause;
    }
    if (chain) out.else = chain;
  }
  return out;
}

export function moduleJSON(m: Module): Json {
  const out: { [k: string]: Json } = {
    package: {
      path: [{ type: "var", value: "data" }, ...m.pkg.map((p) => ({ type: "string", value: p }))],
    },
  };
  if (m.imports.length) {
    out.imports = m.imports.map((i) => ({
      path: termJSON(i.path),
      ...(i.alias ? { alias: i.alias } : {}),
    }));
  }
  if (m.rules.length) out.rules = m.rules.map(ruleJSON);
  return out;
}
