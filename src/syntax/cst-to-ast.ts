/**
 * Gives the CST a typed shape: the only place that knows chevrotain's CST layout. The node types are the ones
 * generated from the grammar (grammar/cst.generated.d.ts), so a renamed rule or token is a compile error here.
 * Runs only on input that parsed without errors, so every child the grammar requires is present.
 */
import type { CstNode, IToken } from 'chevrotain';
import type {
  AtomCstNode, BlockCstNode, ExpressionCstNode, FileCstNode, LayerCstNode, LayersCstNode, NamedOptionCstNode, RowCstNode, SettingCstNode, TermCstNode, ValueCstNode, VariantCstNode,
} from '../../grammar/cst.generated.js';
import type { Span } from '../source/span.js';
import type { AtomAst, BlockAst, LayerAst, MemberAst, ModelAst, OptionAst, RowAst, SettingAst, ValueAst, VariantAst } from './ast.js';

export function cstToAst(cst: CstNode, file: string, text = ''): ModelAst {
  const tSpan = (tok: IToken): Span => ({ file, start: tok.startOffset, end: tok.endOffset! + 1 });
  const nSpan = (node: CstNode): Span => {
    const loc = node.location!;
    return { file, start: loc.startOffset, end: (loc.endOffset ?? loc.startOffset - 1) + 1 };
  };

  const source = (span: Span) => text.slice(span.start, span.end);

  const atom = (node: AtomCstNode): AtomAst => {
    const c = node.children;
    if (c.Identifier && c.LParen) {
      const fn = c.Identifier[0]!;
      const span = nSpan(node);
      return { kind: 'call', fn: fn.image, fnSpan: tSpan(fn), args: (c.expression ?? []).map(expression), text: source(span), span };
    }
    // A parenthesised expression is the expression itself; a compound one keeps the parentheses in its span,
    // so that `(a + b) * c` reads back whole in messages.
    if (c.expression) {
      const inner = expression(c.expression[0]!);
      if (inner.kind !== 'binary') return inner;
      const span = nSpan(node);
      return { ...inner, text: source(span), span };
    }
    const [kind, tok] = c.NumberLiteral ? (['number', c.NumberLiteral[0]!] as const)
      : c.Dims ? (['dims', c.Dims[0]!] as const)
        : c.Identifier ? (['name', c.Identifier[0]!] as const)
          : (['dash', c.Dash![0]!] as const);
    return { kind, text: tok.image, span: tSpan(tok) };
  };

  /** Left-associative chains; the CST keeps operators apart from their operands, so they are put back in order. */
  const chain = (operands: AtomAst[], ops: IToken[]): AtomAst => {
    const sorted = [...ops].sort((a, b) => a.startOffset - b.startOffset);
    let acc = operands[0]!;
    sorted.forEach((op, i) => {
      const right = operands[i + 1]!;
      const span = { file, start: acc.span.start, end: right.span.end };
      acc = { kind: 'binary', op: op.image as '+' | '*' | '/', left: acc, right, text: source(span), span };
    });
    return acc;
  };

  const term = (node: TermCstNode): AtomAst => chain(node.children.atom.map(atom), [...(node.children.Star ?? []), ...(node.children.Slash ?? [])]);

  function expression(node: ExpressionCstNode): AtomAst {
    return chain(node.children.term.map(term), node.children.Plus ?? []);
  }

  const value = (node: ValueCstNode): ValueAst => ({ atoms: node.children.expression.map(expression), span: nSpan(node) });

  const option = (node: NamedOptionCstNode): OptionAst => {
    const name = node.children.Identifier[0]!;
    return { name: name.image, nameSpan: tSpan(name), value: value(node.children.value[0]!), span: nSpan(node) };
  };
  const options = (list: NamedOptionCstNode[] | undefined): OptionAst[] => (list ?? []).map(option);

  const setting = (node: SettingCstNode): SettingAst => {
    const name = node.children.Identifier[0]!;
    return { kind: 'setting', name: name.image, nameSpan: tSpan(name), value: value(node.children.value[0]!), options: options(node.children.namedOption), span: nSpan(node) };
  };

  const layer = (node: LayerCstNode): LayerAst => {
    const op = node.children.Identifier[0]!;
    return { op: op.image, opSpan: tSpan(op), options: options(node.children.namedOption), span: nSpan(node) };
  };

  const row = (node: RowCstNode): RowAst => {
    const op = node.children.Identifier[0]!;
    const fields = (node.children.field ?? []).map((f): AtomAst => {
      if (f.children.expression) return expression(f.children.expression[0]!);
      const tok = f.children.NumberLiteral?.[0] ?? f.children.Dash![0]!;
      return { kind: f.children.NumberLiteral ? 'number' : 'dash', text: tok.image, span: tSpan(tok) };
    });
    return { op: op.image, opSpan: tSpan(op), fields, options: options(node.children.namedOption), span: nSpan(node) };
  };

  const variant = (node: VariantCstNode): VariantAst => {
    const name = node.children.Identifier[0]!;
    return { name: name.image, nameSpan: tSpan(name), options: options(node.children.namedOption), span: nSpan(node) };
  };

  const layersOf = (n: { children: { layers: LayersCstNode[] } }) => (n.children.layers[0]!.children.layer ?? []).map(layer);

  const block = (n: BlockCstNode): BlockAst => {
    const c = n.children;
    const name = c.Identifier[0]!;
    const body = [
      ...(c.letStatement ?? []).map((l) => {
        const id = l.children.Identifier[0]!;
        return { kind: 'let' as const, name: id.image, nameSpan: tSpan(id), value: expression(l.children.expression[0]!), span: nSpan(l) };
      }),
      ...(c.statement ?? []).map((st) => {
        const ids = st.children.Identifier;
        const op = ids[ids.length - 1]!;
        const targets = st.children.Equals ? ids.slice(0, -1).map((t) => ({ name: t.image, span: tSpan(t) })) : [];
        return { kind: 'statement' as const, targets, op: op.image, opSpan: tSpan(op), options: options(st.children.namedOption), span: nSpan(st) };
      }),
    ].sort((a, b) => a.span.start - b.span.start);
    return {
      kind: 'block',
      name: name.image,
      nameSpan: tSpan(name),
      params: (c.blockParam ?? []).map((p) => {
        const id = p.children.Identifier[0]!;
        return { name: id.image, span: tSpan(id), ...(p.children.expression ? { default: expression(p.children.expression[0]!) } : {}) };
      }),
      body,
      span: nSpan(n),
      keywordSpan: tSpan(c.Block[0]!),
    };
  };

  const modelNode = (cst as FileCstNode).children.model[0]!;
  const c = modelNode.children;
  const members: MemberAst[] = [
    ...(c.setting ?? []).map(setting),
    ...(c.stem ?? []).map((n): MemberAst => ({ kind: 'stem', layers: layersOf(n), span: nSpan(n), keywordSpan: tSpan(n.children.Stem[0]!) })),
    ...(c.head ?? []).map((n): MemberAst => ({ kind: 'head', layers: layersOf(n), span: nSpan(n), keywordSpan: tSpan(n.children.Head[0]!) })),
    ...(c.stages ?? []).map((n): MemberAst => ({ kind: 'stages', rows: (n.children.row ?? []).map(row), span: nSpan(n), keywordSpan: tSpan(n.children.Stages[0]!) })),
    ...(c.classifier ?? []).map((n): MemberAst => ({ kind: 'classifier', options: options(n.children.namedOption), span: nSpan(n), keywordSpan: tSpan(n.children.Classifier[0]!) })),
    ...(c.variants ?? []).map((n): MemberAst => ({ kind: 'variants', variants: (n.children.variant ?? []).map(variant), span: nSpan(n), keywordSpan: tSpan(n.children.Variants[0]!) })),
    ...(c.scaling ?? []).map((n): MemberAst => ({ kind: 'scaling', settings: (n.children.setting ?? []).map(setting), span: nSpan(n), keywordSpan: tSpan(n.children.Scaling[0]!) })),
    ...(c.params ?? []).map((n): MemberAst => ({ kind: 'params', settings: (n.children.setting ?? []).map(setting), span: nSpan(n), keywordSpan: tSpan(n.children.Params[0]!) })),
    ...(c.block ?? []).map(block),
  ];
  // The CST groups children by kind; restore file order.
  members.sort((a, b) => a.span.start - b.span.start);

  const name = c.Identifier[0]!;
  return { name: name.image, nameSpan: tSpan(name), members, span: nSpan(modelNode) };
}
