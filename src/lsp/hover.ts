/**
 * Hover: on a stage row, stem or head layer, or the classifier, the figures the report gives for it (output
 * shape, parameters, MACs); on an operator, option, activation or function name, its one-line doc; on a
 * user-defined block or a params name, what it is.
 */
import type { Compilation } from '../pipeline.js';
import { addCosts, zeroCost, type Cost, type GroupCost, type LayerCost } from '../report/cost.js';
import { count, shapeText, si, withSeparators } from '../report/units.js';
import type { Span } from '../source/span.js';
import type { BlockAst, ModelAst } from '../syntax/ast.js';
import { activationDoc, blockSignature, functionDoc, operatorDoc, optionDoc, statementOpDoc, statementOptionDoc } from './name-docs.js';
import { syntaxAt, type OpOwner, type Token } from './syntax-at.js';

export interface HoverResult {
  /** Markdown. */
  readonly contents: string;
  /** What the hover is about (the token, or the whole row). */
  readonly span: Span;
}

/** The figures of everything compiled from the text in `span`: every graph node keeps its row's span. */
export interface SpanCost {
  readonly cost: Cost;
  readonly shape: readonly number[];
  /** Roll-up keys of the nodes: stage2, and its blocks block2a, block2b. */
  readonly stages: readonly string[];
  readonly blocks: readonly string[];
  /** The report's row of each of those blocks, in network order. */
  readonly blockRows: readonly GroupCost[];
}

export function costOfSpan(c: Compilation, span: Span): SpanCost | undefined {
  if (!c.report) return undefined;
  const layers: LayerCost[] = c.report.layers.filter((l) => l.node.span.start >= span.start && l.node.span.end <= span.end);
  if (layers.length === 0) return undefined;
  const uniq = (xs: string[]) => [...new Set(xs)];
  const blocks = uniq(layers.map((l) => l.node.block));
  return {
    cost: layers.reduce((t, l) => addCosts(t, l.cost), zeroCost),
    shape: layers[layers.length - 1]!.node.shape,
    stages: uniq(layers.map((l) => l.node.stage)),
    blocks,
    blockRows: c.report.blocks.filter((b) => blocks.includes(b.key)),
  };
}

/** `output 56x56x24 · params 10,710 (10.71 K) · MACs 22.02 M`, the report's units. */
function figures(shape: readonly number[], c: Cost): string {
  return `output ${shapeText(shape)} · params ${withSeparators(c.params)} (${si(c.params)}) · MACs ${withSeparators(c.macs)} (${count(c.macs)})`;
}

/** More blocks than this and the hover lists none of them: `report --per-block` has the long table. */
const MAX_BLOCK_LINES = 8;

function costText(sc: SpanCost): string {
  const blocks = sc.blocks.length === 1 ? sc.blocks[0]! : `${sc.blocks.length} blocks, ${sc.blocks[0]} to ${sc.blocks[sc.blocks.length - 1]}`;
  const where = sc.stages.length === 1 && sc.stages[0] === sc.blocks[0] ? sc.stages[0]! : `${sc.stages.join(', ')} (${blocks})`;
  const total = `**${where}**: ${figures(sc.shape, sc.cost)}`;
  if (sc.blockRows.length < 2 || sc.blockRows.length > MAX_BLOCK_LINES) return total;
  return [total, ...sc.blockRows.map((b) => `- ${b.key}: ${figures(b.shape, b.cost)}`)].join('\n');
}

const blocksOf = (ast: ModelAst): BlockAst[] => ast.members.filter((m): m is BlockAst => m.kind === 'block');

function opDoc(ast: ModelAst, owner: OpOwner, name: string): string | undefined {
  const user = blocksOf(ast).find((b) => b.name === name);
  if (user) return `**block ${blockSignature(user)}**: user-defined, ${user.body.length} statements`;
  const doc = owner.kind === 'statement' ? statementOpDoc(name) : operatorDoc(name);
  return doc && `**${name}**: ${doc}`;
}

function paramsValue(c: Compilation, ast: ModelAst, name: string, block: BlockAst | undefined): string | undefined {
  if (block?.params.some((p) => p.name === name)) return `**${name}**: a parameter of block ${blockSignature(block)}`;
  if (block?.body.some((s) => s.kind === 'let' && s.name === name)) return `**${name}**: a let of block ${block.name}`;
  const declared = ast.members.some((m) => m.kind === 'params' && m.settings.some((s) => s.name === name));
  if (!declared) return undefined;
  const v = c.spec?.params[name];
  return `**${name}**: a model param${v === undefined ? '' : ` = ${v}`}`;
}

function tokenDoc(c: Compilation, ast: ModelAst, t: Token, owner: OpOwner | undefined, block: BlockAst | undefined): string | undefined {
  switch (t.kind) {
    case 'op':
      return owner && opDoc(ast, owner, t.name);
    case 'option': {
      if (owner?.kind === 'statement') {
        const d = statementOptionDoc(owner.node.op, t.name);
        return d && `**${t.name}**: ${d}`;
      }
      const user = owner && blocksOf(ast).find((b) => b.name === owner.node.op);
      if (user?.params.some((p) => p.name === t.name)) return `**${t.name}**: a parameter of block ${blockSignature(user)}`;
      const d = optionDoc(t.name);
      return d && `**${t.name}**: ${d}`;
    }
    case 'name': {
      const user = blocksOf(ast).find((b) => b.name === t.name);
      if (user) return `**block ${blockSignature(user)}**: user-defined, ${user.body.length} statements`;
      const a = activationDoc(t.name);
      if (a && (t.option === undefined || ['act', 'se_act', 'activation', 'se_gate', 'gate'].includes(t.option))) return `**${t.name}**: ${a}`;
      return paramsValue(c, ast, t.name, block);
    }
    case 'function': {
      const d = functionDoc(t.name);
      return d && `**${t.name}()**: ${d}`;
    }
    case 'blockName': {
      const user = blocksOf(ast).find((b) => b.name === t.name)!;
      const uses = c.report ? usesOf(c, ast, t.name) : [];
      return `**block ${blockSignature(user)}**: user-defined, ${user.body.length} statements${uses.length ? `; used by ${uses.join(', ')}` : ''}`;
    }
    case 'setting':
    case 'classifier':
      return undefined;
  }
}

/** The stages whose rows (or `first`) name a block. */
function usesOf(c: Compilation, ast: ModelAst, name: string): string[] {
  const stages = ast.members.flatMap((m) => (m.kind === 'stages' ? m.rows : []));
  const using = stages.filter((r) => r.op === name || r.options.some((o) => o.name === 'first' && o.value.atoms.some((a) => a.kind === 'name' && a.text === name)));
  return using.flatMap((r) => costOfSpan(c, r.span)?.stages ?? []);
}

/** The hover at an offset of the compiled text, or undefined where there is nothing to say. */
export function hoverAt(c: Compilation, offset: number): HoverResult | undefined {
  const ast = c.parsed?.ast;
  if (!ast) return undefined;
  const at = syntaxAt(ast, offset);
  const lines: string[] = [];
  const doc = at.token && tokenDoc(c, ast, at.token, at.owner, at.block);
  if (doc) lines.push(doc);
  const costed = at.owner && at.owner.kind !== 'statement' ? at.owner.node.span : at.classifier;
  // Figures on the operator or a blank part of the line; an option's or value's doc stands alone.
  const onOp = !at.token || at.token.kind === 'op' || at.token.kind === 'classifier';
  const sc = costed && onOp ? costOfSpan(c, costed) : undefined;
  if (sc) lines.push(costText(sc));
  if (lines.length === 0) return undefined;
  const span = at.token && (doc || !costed) ? at.token.span : costed!;
  return { contents: lines.join('\n\n'), span };
}
