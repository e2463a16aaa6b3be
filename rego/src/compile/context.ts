import type { BuiltinDef } from "../builtins/types.ts";
import type { RegoError } from "../errors.ts";
import type { LanguageBuiltin } from "../eval/language.ts";
import type { InputMemo } from "../eval/types.ts";
import type { Value } from "../value.ts";
import type { MetadataIndex } from "./metadata.ts";
import type { DependencyGraph } from "./recursion.ts";
import type { DocNode } from "./tree.ts";

/** What term and body compilation needs from the whole compilation. */
export interface CompileCtx {
  readonly root: DocNode;
  readonly builtin: (name: string) => BuiltinDef | undefined;
  /** Builtins the language itself provides (`print`, `internal.member_2`, ...). */
  readonly language: ReadonlyMap<string, LanguageBuiltin>;
  readonly errors: RegoError[];
  /** Rule-to-document reads, for the recursion check. */
  readonly deps: DependencyGraph;
  /** METADATA of every module, for `rego.metadata.*`. */
  readonly metadata: MetadataIndex;
  /**
   * Input paths may be read through functions generated for them (where the
   * runtime allows code generation; see `recordReader`).
   */
  readonly codegen: boolean;
  /** Per-query memo of each constant input path, by the path's canonical text. */
  readonly inputMemos: Map<string, InputMemo>;
  /** Rule currently compiled (for `rego.metadata.*`), if any. */
  current: { annotations: Value; chain: Value } | undefined;
}
