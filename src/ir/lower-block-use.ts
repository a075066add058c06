/**
 * A stage row (or stem/head layer) whose operator is a user-defined block. Its fields bind to the block's
 * parameters of the same names (`channels`, `kernel`, `stride`), its options to the others; a parameter left
 * out takes its default, and one without a default must be given. `first NAME` makes the stage's first block
 * another one (ShuffleNet's downsampling unit), bound from the same row. Values are numbers, model params, or
 * expressions of them.
 */
import { diagnostic } from '../diagnostics/diagnostic.js';
import type { Span } from '../source/span.js';
import type { AtomAst, OptionAst } from '../syntax/ast.js';
import { evaluate, expressionText } from './expressions.js';
import type { Field } from './ops.js';
import type { BlockDef, BlockUse, LayerSpec } from './spec.js';
import type { Reader } from './value-reader.js';

export interface BlockUseSite {
  readonly span: Span;
  readonly opSpan: Span;
  /** The row's repeats (rows only). */
  readonly repeats?: AtomAst;
  /** Fields as written: a value, 'dash' for '-', absent when not written at all (a layer leaves them out). */
  readonly fields: Partial<Record<Exclude<Field, 'repeats'>, AtomAst | 'dash'>>;
  readonly options: readonly OptionAst[];
}

const FIELDS = ['channels', 'kernel', 'stride'] as const;

/** `unit(channels, ratio = 4)`, for messages. */
export const blockSignature = (def: BlockDef) => `${def.name}(${def.params.map((p) => (p.default ? `${p.name} = ${expressionText(p.default)}` : p.name)).join(', ')})`;
/** Options every row takes, whatever its operator. */
export const ROW_OPTIONS = ['first', 'width', 'depth'] as const;

/** Binds one block's parameters from the row; reports what the block needs and the row does not give. */
function bind(r: Reader, def: BlockDef, site: BlockUseSite, given: ReadonlyMap<string, AtomAst>, report: boolean): Record<string, number> | undefined {
  const args: Record<string, number> = {};
  let ok = true;
  for (const p of def.params) {
    const atom = given.get(p.name);
    if (atom) {
      const v = (FIELDS as readonly string[]).includes(p.name) ? r.positiveInt(atom, p.name) : r.number(atom, p.name);
      if (v === undefined) ok = false;
      else args[p.name] = v;
      continue;
    }
    if (p.default) {
      // A default may name the model's params and the parameters before it.
      const v = evaluate(p.default, (n) => args[n] ?? r.params[n], (d) => r.report(d), p.name);
      if (v === undefined) ok = false;
      else args[p.name] = v;
      continue;
    }
    if (p.name === 'stride') {
      args.stride = 1;
      continue;
    }
    ok = false;
    if (report) r.report(diagnostic('E0336', site.span, { param: p.name, block: def.name, signature: blockSignature(def) }, p.name));
  }
  return ok ? args : undefined;
}

export function lowerBlockUse(r: Reader, def: BlockDef, blocks: Readonly<Record<string, BlockDef>>, site: BlockUseSite): LayerSpec | undefined {
  const declared = new Set(def.params.map((p) => p.name));
  const given = new Map<string, AtomAst>();
  const spans: Record<string, Span> = { op: site.opSpan };
  for (const f of FIELDS) {
    const v = site.fields[f];
    if (v === undefined || v === 'dash') continue;
    spans[f] = v.span;
    given.set(f, v);
  }
  // The first block's parameters count as the row's too.
  const firstOpt = site.options.find((o) => o.name === 'first');
  const firstAtom = firstOpt && r.single(firstOpt.value, 'first');
  let first: BlockDef | undefined;
  if (firstAtom) {
    first = firstAtom.kind === 'name' ? blocks[firstAtom.text] : undefined;
    if (!first) r.report(diagnostic('E0312', firstAtom.span, { what: 'first block', value: firstAtom.text, expected: `a block this spec defines (${Object.keys(blocks).join(', ')})` }, 'first'));
  }
  const accepted = new Set([...declared, ...(first?.params.map((p) => p.name) ?? [])]);
  for (const f of FIELDS) {
    if (given.has(f) && !accepted.has(f)) {
      r.report(diagnostic('E0314', given.get(f)!.span, { field: f, op: def.name }, f));
      given.delete(f);
    }
  }
  const optionNames = [...[...accepted].filter((p) => !(FIELDS as readonly string[]).includes(p)), ...ROW_OPTIONS];
  const found = r.options(site.options, optionNames, `block '${def.name}'`);
  let width: LayerSpec['width'] = 'scaled';
  let depth: LayerSpec['depth'] = 'scaled';
  for (const [name, o] of found) {
    spans[name] = o.value.span;
    const atom = r.single(o.value, name);
    if (!atom || name === 'first') continue;
    if (name === 'width') width = r.enumOf(atom, name, ['scaled', 'fixed', 'grow'] as const) ?? 'scaled';
    else if (name === 'depth') depth = r.enumOf(atom, name, ['scaled', 'fixed'] as const) ?? 'scaled';
    else given.set(name, atom);
  }
  const args = bind(r, def, site, given, true);
  const firstArgs = first ? bind(r, first, site, given, true) : undefined;
  const repeats = site.repeats ? r.positiveInt(site.repeats, 'repeats') : 1;
  if (!args || repeats === undefined || (first && !firstArgs)) return undefined;
  const use: BlockUse = { name: def.name, args, ...(first && firstArgs ? { first: { name: first.name, args: firstArgs } } : {}) };
  return {
    op: 'block',
    block: use,
    span: site.span,
    repeats,
    ...(args.channels !== undefined ? { channels: args.channels } : {}),
    ...(args.kernel !== undefined ? { kernel: args.kernel } : {}),
    stride: args.stride ?? firstArgs?.stride ?? 1,
    groups: 1,
    norm: true,
    skip: true,
    expansion: 4,
    width,
    depth,
    spans,
  };
}
