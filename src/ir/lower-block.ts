/**
 * User-defined blocks, checked as they are written: every statement names a primitive (block-ops.ts) or
 * another block, takes only its options, reads tensors that exist by then, and every name in an expression is
 * one the block can see; blocks may use each other but not in a cycle. The numbers themselves are worked out
 * when the block is built for a row (infer-shapes), where the channel counts are known.
 */
import { diagnostic } from '../diagnostics/diagnostic.js';
import { nearestName } from '../diagnostics/nearest-name.js';
import type { Span } from '../source/span.js';
import type { AtomAst, BlockAst, OptionAst, StatementAst } from '../syntax/ast.js';
import { activationNamed } from './activations.js';
import { commonStatementOptions, statementOpNames, statementOps, type StatementOptionKind } from './block-ops.js';
import { functions, namesIn } from './expressions.js';
import { operatorNames } from './ops.js';
import type { BlockDef, BlockStatement } from './spec.js';
import type { Reader } from './value-reader.js';

/** The block input's name inside every block. */
export const BLOCK_INPUT = 'in';

function checkNames(r: Reader, e: AtomAst, visible: ReadonlySet<string>, field: string): void {
  for (const n of namesIn(e)) {
    if (!visible.has(n.name)) r.report(diagnostic('E0323', n.span, { name: n.name }, field));
  }
  const calls = (x: AtomAst): void => {
    if (x.kind === 'call') {
      const f = functions[x.fn];
      if (!f) r.report(diagnostic('E0324', x.fnSpan, { name: x.fn, suggestion: nearestName(x.fn, Object.keys(functions)), valid: Object.keys(functions) }, field));
      else if (f.arity !== x.args.length) r.report(diagnostic('E0325', x.span, { name: x.fn, arity: f.arity, got: x.args.length }, field));
      x.args.forEach(calls);
    } else if (x.kind === 'binary') {
      calls(x.left);
      calls(x.right);
    }
  };
  calls(e);
}

function checkWord(r: Reader, kind: StatementOptionKind, o: OptionAst): void {
  const atom = o.value.atoms[0]!;
  if (kind === 'act') r.activation(atom, o.name);
  else if (kind === 'onoff') r.onOff(atom, o.name);
  else if (kind === 'pad') r.enumOf(atom, o.name, ['same', 'symmetric', 'valid'] as const);
  else if (kind === 'gate') r.enumOf(atom, o.name, ['sigmoid', 'hard_sigmoid'] as const);
}

export function lowerBlocks(r: Reader, asts: readonly BlockAst[], modelParams: ReadonlySet<string>): Record<string, BlockDef> {
  const blocks: Record<string, BlockDef> = {};
  const names = asts.map((b) => b.name);
  for (const b of asts) {
    if (blocks[b.name]) {
      r.report(diagnostic('E0328', b.nameSpan, { name: b.name, why: 'is defined twice' }, 'block'));
      continue;
    }
    if ((operatorNames as readonly string[]).includes(b.name) || statementOpNames.includes(b.name)) {
      r.report(diagnostic('E0328', b.nameSpan, { name: b.name, why: 'is the name of a built-in operator' }, 'block'));
      continue;
    }
    blocks[b.name] = lowerBlock(r, b, names, modelParams);
  }
  checkCycles(r, blocks);
  return blocks;
}

function lowerBlock(r: Reader, b: BlockAst, blockNames: readonly string[], modelParams: ReadonlySet<string>): BlockDef {
  const visible = new Set<string>(modelParams);
  const params: BlockDef['params'][number][] = [];
  for (const p of b.params) {
    if (params.some((x) => x.name === p.name)) r.report(diagnostic('E0305', p.span, { name: p.name }, p.name));
    if (p.default) checkNames(r, p.default, visible, p.name);
    params.push({ name: p.name, span: p.span, ...(p.default ? { default: p.default } : {}) });
    visible.add(p.name);
  }
  const tensors = new Set<string>([BLOCK_INPUT]);
  const layerNames = new Set<string>();
  const body: BlockStatement[] = [];
  b.body.forEach((st, index) => {
    if (st.kind === 'let') {
      checkNames(r, st.value, new Set([...visible, ...tensors]), st.name);
      body.push({ kind: 'let', name: st.name, value: st.value, span: st.span });
      visible.add(st.name);
      return;
    }
    const lowered = lowerStatement(r, st, index + 1, blockNames, new Set([...visible, ...tensors]), tensors);
    if (!lowered) return;
    if (layerNames.has(lowered.name)) r.report(diagnostic('E0305', lowered.spans.as ?? st.opSpan, { name: `as ${lowered.name}` }, 'as'));
    layerNames.add(lowered.name);
    body.push(lowered);
    for (const t of lowered.targets) tensors.add(t);
  });
  if (b.body.every((s) => s.kind === 'let')) r.report(diagnostic('E0329', b.nameSpan, { name: b.name }, 'block'));
  return { name: b.name, span: b.span, nameSpan: b.nameSpan, params, body };
}

type OpStatement = Extract<BlockStatement, { kind: 'op' }>;

function lowerStatement(r: Reader, st: StatementAst, index: number, blockNames: readonly string[], visible: ReadonlySet<string>, tensors: ReadonlySet<string>): OpStatement | undefined {
  const isBlock = blockNames.includes(st.op);
  const def = statementOps[st.op];
  if (!def && !isBlock) {
    const valid = [...statementOpNames, ...blockNames];
    r.report(diagnostic('E0330', st.opSpan, { name: st.op, suggestion: nearestName(st.op, valid), valid }, 'op'));
    return undefined;
  }
  // A nested block's options are its parameters: checked when it is built, against its definition.
  const allowed = def ? [...Object.keys(def.options), ...commonStatementOptions] : undefined;
  const found = allowed ? r.options(st.options, allowed, `statement '${st.op}'`) : new Map(st.options.map((o) => [o.name, o] as const));
  const options: Record<string, AtomAst> = {};
  const spans: Record<string, Span> = { op: st.opSpan };
  for (const [name, o] of found) {
    spans[name] = o.value.span;
    if (name === 'from') continue;
    const atom = r.single(o.value, name);
    if (!atom) continue;
    if (name === 'as') {
      if (atom.kind !== 'name') r.report(diagnostic('E0312', atom.span, { what: 'layer name', value: atom.text, expected: 'a name such as branch1' }, 'as'));
      continue;
    }
    const kind = def?.options[name] ?? 'expr';
    if (kind === 'expr') checkNames(r, atom, visible, name);
    else checkWord(r, kind, o);
    options[name] = atom;
  }
  for (const req of def?.required ?? []) {
    if (!found.has(req)) r.report(diagnostic('E0335', st.span, { field: req, op: st.op, where: 'in a block' }, req));
  }
  const from = (found.get('from')?.value.atoms ?? []).map((a) => {
    if (a.kind !== 'name' || !tensors.has(a.text)) r.report(diagnostic('E0331', a.span, { name: a.text, known: [...tensors].join(', ') }, 'from'));
    return a.text;
  });
  const arity = def?.inputs;
  if (arity === 'two' && from.length !== 2) r.report(diagnostic('E0332', found.get('from')?.value.span ?? st.opSpan, { op: st.op, want: 'two tensors', got: from.length }, 'from'));
  if (arity === 'two or more' && from.length < 2) r.report(diagnostic('E0332', found.get('from')?.value.span ?? st.opSpan, { op: st.op, want: 'two or more tensors', got: from.length }, 'from'));
  if (!arity && from.length > 1) r.report(diagnostic('E0332', found.get('from')!.value.span, { op: st.op, want: 'one tensor', got: from.length }, 'from'));
  const targets = st.targets.map((t) => t.name);
  if (def?.outputs && targets.length < 2) r.report(diagnostic('E0333', st.opSpan, { op: st.op, want: 'two or more names, as in a, b = split', got: targets.length }, 'targets'));
  if (!def?.outputs && targets.length > 1) r.report(diagnostic('E0333', st.targets[1]!.span, { op: st.op, want: 'one name', got: targets.length }, 'targets'));
  const as = found.get('as')?.value.atoms[0];
  return { kind: 'op', op: st.op, targets, from, options, name: as?.kind === 'name' ? as.text : `${st.op}${index}`, span: st.span, spans };
}

/** A block that uses itself, directly or through others, would never end: report the cycle. */
function checkCycles(r: Reader, blocks: Readonly<Record<string, BlockDef>>): void {
  const uses = (b: BlockDef) => b.body.filter((s): s is OpStatement => s.kind === 'op' && blocks[s.op] !== undefined);
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    if (state.get(name) === 'done') return;
    state.set(name, 'visiting');
    for (const s of uses(blocks[name]!)) {
      if (state.get(s.op) === 'visiting') {
        const cycle = [...path.slice(path.indexOf(s.op)), name, s.op].filter((x, i, a) => i === 0 || x !== a[i - 1]);
        r.report(diagnostic('E0334', s.spans.op!, { cycle: cycle.join(' -> ') }, 'op'));
        continue;
      }
      visit(s.op, [...path, name]);
    }
    state.set(name, 'done');
  };
  for (const name of Object.keys(blocks)) visit(name, []);
}

/** The activation a word names (for `act` options), or undefined. */
export const activationWord = (a: AtomAst) => (a.kind === 'name' ? activationNamed(a.text) : undefined);
