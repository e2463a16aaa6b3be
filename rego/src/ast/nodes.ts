import type { Location } from "../errors.ts";
import type { Value } from "../value.ts";

/** Rego terms. Every node carries the location of its source text. */
export type Term =
  | { readonly type: "scalar"; readonly value: Value; readonly loc: Location }
  | { readonly type: "var"; readonly name: string; readonly loc: Location }
  | {
      readonly type: "ref";
      readonly head: Term;
      readonly path: readonly Term[];
      readonly loc: Location;
    }
  | { readonly type: "array"; readonly items: readonly Term[]; readonly loc: Location }
  | { readonly type: "set"; readonly items: readonly Term[]; readonly loc: Location }
  | {
      readonly type: "object";
      readonly pairs: readonly (readonly [Term, Term])[];
      readonly loc: Location;
    }
  | {
      readonly type: "arraycompr";
      readonly term: Term;
      readonly body: Body;
      readonly loc: Location;
    }
  | { readonly type: "setcompr"; readonly term: Term; readonly body: Body; readonly loc: Location }
  | {
      readonly type: "objectcompr";
      readonly key: Term;
      readonly value: Term;
      readonly body: Body;
      readonly loc: Location;
    }
  | {
      readonly type: "call";
      /** The callee as written: a var or a ref (`count`, `strings.upper`, `data.p.f`). */
      readonly fn: Term;
      readonly args: readonly Term[];
      readonly loc: Location;
    }
  | {
      readonly type: "template";
      /** Literal text and embedded expressions (which may carry `with`). */
      readonly parts: readonly (string | Expr)[];
      readonly loc: Location;
    };

export type TermOf<K extends Term["type"]> = Extract<Term, { type: K }>;

export interface WithModifier {
  readonly target: Term;
  readonly value: Term;
  readonly loc: Location;
}

export type ExprKind =
  | { readonly kind: "term"; readonly term: Term }
  | { readonly kind: "unify"; readonly left: Term; readonly right: Term }
  | { readonly kind: "assign"; readonly left: Term; readonly right: Term }
  | { readonly kind: "some"; readonly vars: readonly TermOf<"var">[] }
  | {
      readonly kind: "somein";
      readonly key: Term | undefined;
      readonly value: Term;
      readonly domain: Term;
    }
  | {
      readonly kind: "every";
      readonly key: TermOf<"var"> | undefined;
      readonly value: TermOf<"var">;
      readonly domain: Term;
      readonly body: Body;
    };

/** A body literal: an expression, maybe negated, maybe with `with` modifiers. */
export type Expr = ExprKind & {
  readonly negated: boolean;
  readonly with: readonly WithModifier[];
  readonly loc: Location;
};

export type Body = readonly Expr[];

export interface RuleHead {
  /** `p`, `p.q[r]`, `a.b.c`: first element is the rule name's var. */
  readonly ref: readonly Term[];
  readonly args: readonly Term[] | undefined;
  /** `contains x` (multi-value rule). */
  readonly key: Term | undefined;
  readonly value: Term | undefined;
  readonly assign: boolean;
  readonly loc: Location;
}

export interface ElseClause {
  readonly value: Term | undefined;
  readonly body: Body;
  readonly loc: Location;
}

export interface Rule {
  readonly head: RuleHead;
  readonly body: Body;
  readonly isDefault: boolean;
  readonly elses: readonly ElseClause[];
  /** Parsed YAML of the METADATA block right above the rule, if any. */
  readonly annotations: Record<string, unknown> | undefined;
  readonly loc: Location;
}

export interface Import {
  readonly path: Term;
  readonly alias: string | undefined;
  readonly loc: Location;
}

export interface Module {
  readonly file: string;
  readonly source: string;
  readonly pkg: readonly string[];
  readonly pkgLoc: Location;
  readonly imports: readonly Import[];
  readonly rules: readonly Rule[];
  readonly annotations: Record<string, unknown> | undefined;
  readonly v0: boolean;
}
