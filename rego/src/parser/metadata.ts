import { parse as parseYaml } from "yaml";
import { RegoError } from "../errors.ts";
import type { Comment } from "../lexer/lexer.ts";

/** A METADATA block: the YAML below a `# METADATA` line, and the line after its last comment. */
export interface MetadataBlock {
  readonly data: Record<string, unknown>;
  readonly nextLine: number;
}

/** Groups consecutive comment lines and parses those starting with `METADATA` as YAML. */
export function metadataBlocks(comments: readonly Comment[]): MetadataBlock[] {
  const blocks: MetadataBlock[] = [];
  let i = 0;
  while (i < comments.length) {
    const first = comments[i]!;
    if (first.text.trim() !== "METADATA") {
      i++;
      continue;
    }
    const lines: string[] = [];
    let last = first.loc.line;
    i++;
    while (i < comments.length && comments[i]!.loc.line === last + 1) {
      const t = comments[i]!.text;
      lines.push(t.startsWith(" ") ? t.slice(1) : t);
      last = comments[i]!.loc.line;
      i++;
    }
    let data: unknown;
    try {
      data = parseYaml(lines.join("\n"));
    } catch (e) {
      throw new RegoError("rego_parse_error", `yaml: ${(e as Error).message}`, first.loc);
    }
    const record = data && typeof data === "object" ? (data as Record<string, unknown>) : {};
    blocks.push({ data: normalizeAnnotations(record), nextLine: last + 1 });
  }
  return blocks;
}

/** OPA's annotation shape: authors/organizations as objects, related_resources as `{ref}`. */
function normalizeAnnotations(a: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  if (Array.isArray(a.authors)) {
    out.authors = a.authors.map((x) => {
      if (typeof x !== "string") return x;
      const m = /^(.*?)\s*<([^>]*)>$/.exec(x.trim());
      return m ? (m[1] ? { name: m[1], email: m[2] } : { email: m[2] }) : { name: x.trim() };
    });
  }
  if (Array.isArray(a.related_resources)) {
    out.related_resources = a.related_resources.map((x) =>
      typeof x === "string" ? { ref: x } : x,
    );
  }
  return out;
}
