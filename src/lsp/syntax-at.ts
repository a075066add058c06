/**
 * What the syntax tree has at an offset: the token under the cursor and what it belongs to. Hover and
 * go-to-definition both start here, so they agree on what a position means.
 */
import type { Span } from '../source/span.js';
import type { AtomAst, BlockAst, LayerAst, MemberAst, ModelAst, OptionAst, RowAst, SettingAst, StatementAst } from '../syntax/ast.js';

/** A row, layer or statement: the things with an operator and options. */
export type OpOwner =
  | { readonly kind: 'row'; readonly node: RowAst }
  | { readonly kind: 'layer'; readonly node: LayerAst; readonly section: 'stem' | 'head' }
  | { readonly kind: 'statement'; readonly node: StatementAst };

/** Where a setting is written: its section decides what its name means. */
export type SettingSection = 'model' | 'scaling' | 'params';

export type Token =
  | { readonly kind: 'op'; readonly name: string; readonly span: Span }
  | { readonly kind: 'option'; readonly name: string; readonly span: Span }
  | { readonly kind: 'setting'; readonly name: string; readonly span: Span; readonly section: SettingSection }
  | { readonly kind: 'name'; readonly name: string; readonly span: Span; readonly option?: string }
  | { readonly kind: 'function'; readonly name: string; readonly span: Span }
  | { readonly kind: 'blockName'; readonly name: string; readonly span: Span }
  | { readonly kind: 'classifier'; readonly span: Span };

export interface SyntaxAt {
  /** The token under the offset, if it is one hover or definition can say something about. */
  readonly token?: Token;
  /** The row, layer or statement the offset is in. */
  readonly owner?: OpOwner;
  /** The user-defined block the offset is in (its parameters and lets shadow model params). */
  readonly block?: BlockAst;
  /** The classifier line, which the report costs like a layer. */
  readonly classifier?: Span;
}

const within = (s: Span, offset: number) => s.start <= offset && offset < s.end;
/** A line's span ends at its last token; the cursor just after it still counts as on the line. */
const onLine = (s: Span, offset: number) => s.start <= offset && offset <= s.end;

function inAtom(a: AtomAst, offset: number, option?: string): Token | undefined {
  if (!onLine(a.span, offset)) return undefined;
  switch (a.kind) {
    case 'name':
      return within(a.span, offset) ? { kind: 'name', name: a.text, span: a.span, ...(option ? { option } : {}) } : undefined;
    case 'binary':
      return inAtom(a.left, offset, option) ?? inAtom(a.right, offset, option);
    case 'call':
      if (within(a.fnSpan, offset)) return { kind: 'function', name: a.fn, span: a.fnSpan };
      for (const x of a.args) {
        const t = inAtom(x, offset, option);
        if (t) return t;
      }
      return undefined;
    default:
      return undefined;
  }
}

function inOptions(opts: readonly OptionAst[], offset: number): Token | undefined {
  for (const o of opts) {
    if (within(o.nameSpan, offset)) return { kind: 'option', name: o.name, span: o.nameSpan };
    for (const a of o.value.atoms) {
      const t = inAtom(a, offset, o.name);
      if (t) return t;
    }
  }
  return undefined;
}

function inSetting(s: SettingAst, offset: number, section: SettingSection): Token | undefined {
  if (within(s.nameSpan, offset)) return { kind: 'setting', name: s.name, span: s.nameSpan, section };
  for (const a of s.value.atoms) {
    const t = inAtom(a, offset, s.name);
    if (t) return t;
  }
  return inOptions(s.options, offset);
}

function inOwner(owner: OpOwner, offset: number): Token | undefined {
  const n = owner.node;
  if (within(n.opSpan, offset)) return { kind: 'op', name: n.op, span: n.opSpan };
  if (owner.kind === 'row') {
    for (const f of owner.node.fields) {
      const t = inAtom(f, offset);
      if (t) return t;
    }
  }
  return inOptions(n.options, offset);
}

function inMember(m: MemberAst, offset: number): SyntaxAt {
  switch (m.kind) {
    case 'setting': {
      const token = inSetting(m, offset, 'model');
      return token ? { token } : {};
    }
    case 'stem':
    case 'head':
      for (const node of m.layers) {
        if (onLine(node.span, offset)) {
          const owner: OpOwner = { kind: 'layer', node, section: m.kind };
          const token = inOwner(owner, offset);
          return { owner, ...(token ? { token } : {}) };
        }
      }
      return {};
    case 'stages':
      for (const node of m.rows) {
        if (onLine(node.span, offset)) {
          const owner: OpOwner = { kind: 'row', node };
          const token = inOwner(owner, offset);
          return { owner, ...(token ? { token } : {}) };
        }
      }
      return {};
    case 'classifier': {
      const token = within(m.keywordSpan, offset) ? ({ kind: 'classifier', span: m.keywordSpan } as const) : inOptions(m.options, offset);
      return { classifier: m.span, ...(token ? { token } : {}) };
    }
    case 'variants':
      for (const v of m.variants) {
        const token = onLine(v.span, offset) ? inOptions(v.options, offset) : undefined;
        if (token) return { token };
      }
      return {};
    case 'scaling':
    case 'params':
      for (const s of m.settings) {
        const token = onLine(s.span, offset) ? inSetting(s, offset, m.kind) : undefined;
        if (token) return { token };
      }
      return {};
    case 'block': {
      if (within(m.nameSpan, offset)) return { block: m, token: { kind: 'blockName', name: m.name, span: m.nameSpan } };
      for (const s of m.body) {
        if (!onLine(s.span, offset)) continue;
        if (s.kind === 'let') {
          const token = inAtom(s.value, offset);
          return { block: m, ...(token ? { token } : {}) };
        }
        const owner: OpOwner = { kind: 'statement', node: s };
        const token = inOwner(owner, offset);
        return { block: m, owner, ...(token ? { token } : {}) };
      }
      return { block: m };
    }
  }
}

export function syntaxAt(ast: ModelAst, offset: number): SyntaxAt {
  for (const m of ast.members) {
    if (onLine(m.span, offset)) {
      const found = inMember(m, offset);
      if (found.token || found.owner || found.block || found.classifier) return found;
    }
  }
  return {};
}
