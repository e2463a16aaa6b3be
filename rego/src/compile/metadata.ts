import type { Module, Rule } from "../ast/nodes.ts";
import { fromJSON, RObject, type Value } from "../value.ts";
import { splitHead } from "./rules.ts";

type Annotations = Record<string, unknown>;

/**
 * METADATA across all modules, for `rego.metadata.rule()` and `.chain()`:
 * rule-scoped blocks belong to one rule, `scope: document` blocks to every
 * rule of that path, package blocks to the package in every module, and
 * `scope: subpackages` blocks to the packages below too.
 */
export class MetadataIndex {
  readonly #documents = new Map<string, Annotations>();
  readonly #packages = new Map<string, Annotations>();

  constructor(modules: readonly Module[]) {
    for (const m of modules) {
      const pkgKey = JSON.stringify(m.pkg);
      if (m.annotations && !this.#packages.has(pkgKey)) this.#packages.set(pkgKey, m.annotations);
      for (const r of m.rules) {
        if (r.annotations?.scope !== "document") continue;
        const key = JSON.stringify(rulePath(m.pkg, r));
        if (!this.#documents.has(key)) this.#documents.set(key, r.annotations);
      }
    }
  }

  /** `rego.metadata.rule()`: the rule's own (rule-scoped) block, or `{}`. */
  rule(rule: Rule): Value {
    const a = rule.annotations;
    if (!a || a.scope === "document") return new RObject();
    return fromJSON({ scope: "rule", ...a });
  }

  /** `rego.metadata.chain()`: the rule, its document, its package, enclosing subpackage scopes. */
  chain(rule: Rule, pkg: readonly string[]): Value {
    const path = rulePath(pkg, rule);
    const entries: Value[] = [];
    const own =
      rule.annotations && rule.annotations.scope !== "document" ? this.rule(rule) : undefined;
    entries.push(
      own
        ? RObject.fromRecord({ path: fromJSON(path), annotations: own })
        : RObject.fromRecord({ path: fromJSON(path) }),
    );
    const doc = this.#documents.get(JSON.stringify(path));
    if (doc) entries.push(entry(path, { scope: "document", ...doc }));
    for (let n = pkg.length; n > 0; n--) {
      const p = pkg.slice(0, n);
      const a = this.#packages.get(JSON.stringify(p));
      if (!a) continue;
      const sub = a.scope === "subpackages";
      if (n === pkg.length)
        entries.push(entry(p, { scope: sub ? "subpackages" : "package", ...a }));
      else if (sub) entries.push(entry(p, { scope: "subpackages", ...a }));
    }
    return entries;
  }
}

function rulePath(pkg: readonly string[], rule: Rule): string[] {
  return [...pkg, ...splitHead(rule).prefix.map(String)];
}

function entry(path: readonly string[], annotations: Annotations): Value {
  return RObject.fromRecord({ path: fromJSON(path), annotations: fromJSON(annotations) });
}
