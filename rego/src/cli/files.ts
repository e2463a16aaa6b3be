import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { parse as parseYaml } from "yaml";
import type { ModuleSource } from "../index.ts";

export interface Loaded {
  modules: ModuleSource[];
  /** Base data from data.json / data.yaml files, placed at their directory's path. */
  data: Record<string, unknown>;
}

function walk(path: string, out: string[]): void {
  const st = statSync(path);
  if (st.isFile()) {
    out.push(path);
    return;
  }
  for (const e of readdirSync(path).sort()) {
    if (e.startsWith(".") || e === "node_modules") continue;
    walk(join(path, e), out);
  }
}

function mergeAt(data: Record<string, unknown>, path: string[], value: unknown): void {
  let target = data;
  for (const k of path) {
    const next = target[k];
    if (next && typeof next === "object" && !Array.isArray(next))
      target = next as Record<string, unknown>;
    else {
      const fresh: Record<string, unknown> = {};
      target[k] = fresh;
      target = fresh;
    }
  }
  if (value && typeof value === "object" && !Array.isArray(value)) Object.assign(target, value);
}

/** Loads `.rego` modules and `data.json`/`data.yaml` files like `opa test`/`opa eval -d`. */
export function loadPaths(paths: readonly string[]): Loaded {
  const modules: ModuleSource[] = [];
  const data: Record<string, unknown> = {};
  for (const root of paths) {
    const files: string[] = [];
    walk(root, files);
    for (const f of files) {
      if (f.endsWith(".rego")) modules.push({ file: f, source: readFileSync(f, "utf8") });
      else if (/(^|[/\\])data\.(json|ya?ml)$/.test(f)) {
        const text = readFileSync(f, "utf8");
        const value = f.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
        const rel = relative(statSync(root).isFile() ? join(root, "..") : root, join(f, ".."));
        mergeAt(data, rel ? rel.split(sep) : [], value);
      }
    }
  }
  return { modules, data };
}
