/**
 * The syntax tree: what the file says, before any meaning is given to names. Every node keeps the span of
 * the text it came from. Nodes are plain readonly data.
 */
import type { Span } from '../source/span.js';

/** A single token value. */
export interface SimpleAtomAst {
  readonly kind: 'number' | 'dims' | 'name' | 'dash';
  readonly text: string;
  readonly span: Span;
}

/** `a * b`, `a / b`, `a + b`. */
export interface BinaryAst {
  readonly kind: 'binary';
  readonly op: '+' | '*' | '/';
  readonly left: AtomAst;
  readonly right: AtomAst;
  /** The source text, for messages. */
  readonly text: string;
  readonly span: Span;
}

/** `round(in / 4)`, `min(group_width, channels)`. */
export interface CallAst {
  readonly kind: 'call';
  readonly fn: string;
  readonly fnSpan: Span;
  readonly args: readonly AtomAst[];
  readonly text: string;
  readonly span: Span;
}

/** A value: a token, or an expression of them (where the language allows one). */
export type AtomAst = SimpleAtomAst | BinaryAst | CallAst;

/** One value or a comma list of values. */
export interface ValueAst {
  readonly atoms: readonly AtomAst[];
  readonly span: Span;
}

/** `NAME VALUE`, e.g. `expand 6` or `repeats 3,4,6,3`. */
export interface OptionAst {
  readonly name: string;
  readonly nameSpan: Span;
  readonly value: ValueAst;
  readonly span: Span;
}

/** `NAME VALUE [OPTION]...`, e.g. `norm batchnorm eps 1e-3`. */
export interface SettingAst {
  readonly kind: 'setting';
  readonly name: string;
  readonly nameSpan: Span;
  readonly value: ValueAst;
  readonly options: readonly OptionAst[];
  readonly span: Span;
}

/** `OPERATOR [OPTION]...` in a stem or head. */
export interface LayerAst {
  readonly op: string;
  readonly opSpan: Span;
  readonly options: readonly OptionAst[];
  readonly span: Span;
}

/** A stage-table row: `OPERATOR FIELD... [OPTION]...`. */
export interface RowAst {
  readonly op: string;
  readonly opSpan: Span;
  readonly fields: readonly AtomAst[];
  readonly options: readonly OptionAst[];
  readonly span: Span;
}

export interface VariantAst {
  readonly name: string;
  readonly nameSpan: Span;
  readonly options: readonly OptionAst[];
  readonly span: Span;
}

/** `groups = 1` in a block's parameter list. */
export interface BlockParamAst {
  readonly name: string;
  readonly span: Span;
  readonly default?: AtomAst;
}

/** `let width = channels * 4`. */
export interface LetAst {
  readonly kind: 'let';
  readonly name: string;
  readonly nameSpan: Span;
  readonly value: AtomAst;
  readonly span: Span;
}

/** `[a, b =] OP [OPTION VALUE]...` inside a block. */
export interface StatementAst {
  readonly kind: 'statement';
  readonly targets: readonly { readonly name: string; readonly span: Span }[];
  readonly op: string;
  readonly opSpan: Span;
  readonly options: readonly OptionAst[];
  readonly span: Span;
}

export interface BlockAst {
  readonly kind: 'block';
  readonly name: string;
  readonly nameSpan: Span;
  readonly params: readonly BlockParamAst[];
  readonly body: readonly (LetAst | StatementAst)[];
  readonly span: Span;
  readonly keywordSpan: Span;
}

export type MemberAst =
  | SettingAst
  | { readonly kind: 'stem' | 'head'; readonly layers: readonly LayerAst[]; readonly span: Span; readonly keywordSpan: Span }
  | { readonly kind: 'stages'; readonly rows: readonly RowAst[]; readonly span: Span; readonly keywordSpan: Span }
  | { readonly kind: 'classifier'; readonly options: readonly OptionAst[]; readonly span: Span; readonly keywordSpan: Span }
  | { readonly kind: 'variants'; readonly variants: readonly VariantAst[]; readonly span: Span; readonly keywordSpan: Span }
  | { readonly kind: 'scaling' | 'params'; readonly settings: readonly SettingAst[]; readonly span: Span; readonly keywordSpan: Span }
  | BlockAst;

export interface ModelAst {
  readonly name: string;
  readonly nameSpan: Span;
  /** Members in file order (the formatter and duplicate checks need the order). */
  readonly members: readonly MemberAst[];
  readonly span: Span;
}
