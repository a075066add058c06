/**
 * Gives the CST a typed shape: the only place that knows chevrotain's CST layout. Runs only on input that
 * parsed without errors, so every child the grammar requires is present.
 */
import type { CstNode, IToken } from 'chevrotain';
import type { Span } from '../source/span.js';
import type { AtomAst, LayerAst, MemberAst, ModelAst, OptionAst, RowAst, SettingAst, ValueAst, VariantAst } from './ast.js';

type Children = Record<string, (CstNode | IToken)[] | undefined>;

const nodes = (c: Children, key: string): CstNode[] => (c[key] ?? []) as CstNode[];
const tokens = (c: Children, key: string): IToken[] => (c[key] ?? []) as IToken[];
const token = (c: Children, key: string): IToken => tokens(c, key)[0]!;

function tokenSpan(file: string, tok: IToken): Span {
  return { file, start: tok.startOffset, end: tok.endOffset! + 1 };
}

function nodeSpan(file: string, node: CstNode): Span {
  const loc = node.location!;
  return { file, start: loc.startOffset, end: (loc.endOffset ?? loc.startOffset - 1) + 1 };
}

export function cstToAst(cst: CstNode, file: string): ModelAst {
  const tSpan = (tok: IToken) => tokenSpan(file, tok);
  const nSpan = (node: CstNode) => nodeSpan(file, node);

  const atom = (node: CstNode): AtomAst => {
    const c = node.children as Children;
    const [kind, key] = c.NumberLiteral
      ? (['number', 'NumberLiteral'] as const)
      : c.Dims
        ? (['dims', 'Dims'] as const)
        : c.Identifier
          ? (['name', 'Identifier'] as const)
          : (['dash', 'Dash'] as const);
    const tok = token(c, key);
    return { kind, text: tok.image, span: tSpan(tok) };
  };

  const value = (node: CstNode): ValueAst => ({
    atoms: nodes(node.children as Children, 'atom').map(atom),
    span: nSpan(node),
  });

  const option = (node: CstNode): OptionAst => {
    const c = node.children as Children;
    const name = token(c, 'Identifier');
    return { name: name.image, nameSpan: tSpan(name), value: value(nodes(c, 'value')[0]!), span: nSpan(node) };
  };

  const setting = (node: CstNode): SettingAst => {
    const c = node.children as Children;
    const name = token(c, 'Identifier');
    return {
      kind: 'setting',
      name: name.image,
      nameSpan: tSpan(name),
      value: value(nodes(c, 'value')[0]!),
      options: nodes(c, 'namedOption').map(option),
      span: nSpan(node),
    };
  };

  const layer = (node: CstNode): LayerAst => {
    const c = node.children as Children;
    const op = token(c, 'Identifier');
    return { op: op.image, opSpan: tSpan(op), options: nodes(c, 'namedOption').map(option), span: nSpan(node) };
  };

  const row = (node: CstNode): RowAst => {
    const c = node.children as Children;
    const op = token(c, 'Identifier');
    return {
      op: op.image,
      opSpan: tSpan(op),
      fields: nodes(c, 'field').map((f) => {
        const fc = f.children as Children;
        const tok = fc.NumberLiteral ? token(fc, 'NumberLiteral') : token(fc, 'Dash');
        return { kind: fc.NumberLiteral ? 'number' : 'dash', text: tok.image, span: tSpan(tok) } as AtomAst;
      }),
      options: nodes(c, 'namedOption').map(option),
      span: nSpan(node),
    };
  };

  const variant = (node: CstNode): VariantAst => {
    const c = node.children as Children;
    const name = token(c, 'Identifier');
    return { name: name.image, nameSpan: tSpan(name), options: nodes(c, 'namedOption').map(option), span: nSpan(node) };
  };

  const mc = cst.children as Children;
  const modelNode = nodes(mc, 'model')[0]!;
  const c = modelNode.children as Children;
  const members: MemberAst[] = [];
  const keywordOf = (n: CstNode, key: string) => tSpan(token(n.children as Children, key));
  const layersOf = (n: CstNode) => nodes(nodes(n.children as Children, 'layers')[0]!.children as Children, 'layer').map(layer);

  for (const n of nodes(c, 'setting')) members.push(setting(n));
  for (const n of nodes(c, 'stem')) members.push({ kind: 'stem', layers: layersOf(n), span: nSpan(n), keywordSpan: keywordOf(n, 'Stem') });
  for (const n of nodes(c, 'head')) members.push({ kind: 'head', layers: layersOf(n), span: nSpan(n), keywordSpan: keywordOf(n, 'Head') });
  for (const n of nodes(c, 'stages')) {
    members.push({ kind: 'stages', rows: nodes(n.children as Children, 'row').map(row), span: nSpan(n), keywordSpan: keywordOf(n, 'Stages') });
  }
  for (const n of nodes(c, 'classifier')) {
    members.push({ kind: 'classifier', options: nodes(n.children as Children, 'namedOption').map(option), span: nSpan(n), keywordSpan: keywordOf(n, 'Classifier') });
  }
  for (const n of nodes(c, 'variants')) {
    members.push({ kind: 'variants', variants: nodes(n.children as Children, 'variant').map(variant), span: nSpan(n), keywordSpan: keywordOf(n, 'Variants') });
  }
  for (const n of nodes(c, 'scaling')) {
    members.push({ kind: 'scaling', settings: nodes(n.children as Children, 'setting').map(setting), span: nSpan(n), keywordSpan: keywordOf(n, 'Scaling') });
  }
  // The CST groups children by kind; restore file order.
  members.sort((a, b) => a.span.start - b.span.start);

  const name = token(c, 'Identifier');
  return { name: name.image, nameSpan: tSpan(name), members, span: nSpan(modelNode) };
}
