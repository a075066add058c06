/**
 * The syntax tree: what the file says, before any meaning is given to names. Every node keeps the span of
 * the text it came from. Nodes are plain readonly data.
 */
import type { Span } from '../source/span.js';

export interface AtomAst {
  readonly kind: 'number' | 'dims' | 'name' | 'dash';
  readonly text: string;
  readonly span: Span;
}

/** One atom or a comma list of atoms. */
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

export type MemberAst =
  | SettingAst
  | { readonly kind: 'stem' | 'head'; readonly layers: readonly LayerAst[]; readonly span: Span; readonly keywordSpan: Span }
  | { readonly kind: 'stages'; readonly rows: readonly RowAst[]; readonly span: Span; readonly keywordSpan: Span }
  | { readonly kind: 'classifier'; readonly options: readonly OptionAst[]; readonly span: Span; readonly keywordSpan: Span }
  | { readonly kind: 'variants'; readonly variants: readonly VariantAst[]; readonly span: Span; readonly keywordSpan: Span }
  | { readonly kind: 'scaling'; readonly settings: readonly SettingAst[]; readonly span: Span; readonly keywordSpan: Span };

export interface ModelAst {
  readonly name: string;
  readonly nameSpan: Span;
  /** Members in file order (the formatter and duplicate checks need the order). */
  readonly members: readonly MemberAst[];
  readonly span: Span;
}
