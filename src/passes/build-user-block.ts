/**
 * One instance of a user-defined block, built into primitive ops: each statement in order, its numbers worked
 * out now that the row's values and the tensors' channel counts are known. The block's parameters are the
 * row's (channels, kernel and stride from the row as scaled; stride 1 past a stage's first block), its lets,
 * its tensors (a name stands for its channel count) and the model's params.
 *
 * Layer names: `<block>_<name>` for a statement's main node, where the name is its `as` or `<op><index>`;
 * a conv's batch norm and activation follow as `_bn` and `_activation`, as the built-in operators name theirs.
 */
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import { activationNamed, type Activation } from '../ir/activations.js';
import { isActivationOp } from '../ir/block-ops.js';
import { evaluate, wholeNumber } from '../ir/expressions.js';
import { BLOCK_INPUT } from '../ir/lower-block.js';
import { blockSignature } from '../ir/lower-block-use.js';
import type { BlockDef, BlockStatement, LayerSpec, ModelSpec } from '../ir/spec.js';
import type { AtomAst } from '../syntax/ast.js';
import type { PadMode } from './conv-arithmetic.js';
import type { BlockInstance } from './expand-repeats.js';
import { ShapeError, type GraphBuilder } from './graph-builder.js';

type OpStatement = Extract<BlockStatement, { kind: 'op' }>;

interface Scope {
  readonly numbers: Map<string, number>;
  readonly tensors: Map<string, number>;
}

/** Throws the first problem an evaluation reported. */
function must<T>(v: T | undefined, problems: Diagnostic[]): T {
  if (problems.length) throw new ShapeError(problems[0]!);
  return v as T;
}

export function buildUserBlock(g: GraphBuilder, spec: ModelSpec, def: BlockDef, args: Readonly<Record<string, number>>, b: BlockInstance, x: number, prefix: string): number {
  const scope: Scope = { numbers: new Map(Object.entries(args)), tensors: new Map([[BLOCK_INPUT, x]]) };
  const channelsOf = (id: number) => {
    const s = g.shape(id);
    return s[s.length - 1]!;
  };
  const env = (name: string): number | undefined => {
    if (scope.numbers.has(name)) return scope.numbers.get(name);
    if (scope.tensors.has(name)) return channelsOf(scope.tensors.get(name)!);
    return spec.params[name];
  };
  let current = x;
  for (const st of def.body) {
    if (st.kind === 'let') {
      const problems: Diagnostic[] = [];
      scope.numbers.set(st.name, must(evaluate(st.value, env, (d) => problems.push(d), st.name), problems));
      continue;
    }
    const inputs = st.from.length ? st.from.map((n) => scope.tensors.get(n)!) : [current];
    const outputs = statement(g, spec, st, inputs, env, b, x, prefix);
    if (st.targets.length) st.targets.forEach((t, i) => scope.tensors.set(t, outputs[i]!));
    current = outputs[outputs.length - 1]!;
  }
  return current;
}

function statement(g: GraphBuilder, spec: ModelSpec, st: OpStatement, inputs: readonly number[], env: (n: string) => number | undefined, b: BlockInstance, blockInput: number, prefix: string): number[] {
  const name = `${prefix}_${st.name}`;
  const problems: Diagnostic[] = [];
  const value = (opt: string): number | undefined => {
    const e = st.options[opt];
    return e === undefined ? undefined : must(evaluate(e, env, (d) => problems.push(d), opt), problems);
  };
  /** A whole number of at least 1, or the fallback when the option is left out. */
  const whole = (opt: string, fallback?: number): number => {
    const v = value(opt);
    if (v === undefined) return fallback!;
    const n = wholeNumber(v);
    const e = st.options[opt]!;
    if (n === undefined) throw new ShapeError(diagnostic('E0327', e.span, { field: opt, text: e.text, value: String(v) }, opt));
    if (n < 1) throw new ShapeError(diagnostic('E0306', e.span, { field: opt, value: `${e.text} = ${n}` }, opt));
    return n;
  };
  const word = (opt: string): string | undefined => (st.options[opt] as AtomAst | undefined)?.text;
  const onOff = (opt: string, fallback: boolean) => {
    const w = word(opt);
    return w === undefined ? fallback : w === 'on' || w === 'true' || w === 'yes';
  };
  const act = (fallback: Activation): Activation => (word('act') ? activationNamed(word('act')!)! : fallback);
  const x = inputs[0]!;
  const cin = g.shape(x)[g.shape(x).length - 1]!;

  switch (st.op) {
    case 'conv':
    case 'dwconv': {
      const dw = st.op === 'dwconv';
      const filters = dw ? cin * whole('multiplier', 1) : whole('channels');
      const pad = (word('pad') as PadMode | undefined) ?? spec.padding;
      let y = g.conv(name, x, { filters, kernel: whole('kernel'), stride: whole('stride', 1), groups: dw ? cin : whole('groups', 1), bias: onOff('bias', false), pad });
      if (onOff('norm', true)) y = g.bn(`${name}_bn`, y);
      return [g.act(`${name}_activation`, y, act(spec.activation))];
    }
    case 'bn':
      return [g.bn(name, x)];
    case 'layernorm':
      return [g.layernorm(name, x, value('eps') ?? 1e-6)];
    case 'se': {
      const squeeze = whole('squeeze');
      const pooled = g.globalPool(`${name}_squeeze`, x, true);
      const reduced = g.act(`${name}_reduce_activation`, g.conv(`${name}_reduce`, pooled, { filters: squeeze, kernel: 1, stride: 1, bias: true }), act(spec.activation));
      const gate = (word('gate') as 'sigmoid' | 'hard_sigmoid' | undefined) ?? 'sigmoid';
      const expanded = g.act(`${name}_expand_activation`, g.conv(`${name}_expand`, reduced, { filters: cin, kernel: 1, stride: 1, bias: true }), gate);
      return [g.multiply(`${name}_excite`, x, expanded)];
    }
    case 'add': {
      const [a, c] = inputs as [number, number];
      if (g.shape(a).join('x') !== g.shape(c).join('x')) throw new ShapeError(diagnostic('E0407', st.span, { layer: name, shapes: `${g.shape(a).join('x')}, ${g.shape(c).join('x')}` }));
      return [g.addNodes(name, a, c)];
    }
    case 'residual': {
      const branch = x;
      const [ih, iw, ic] = g.shape(blockInput);
      const [bh, bw, bc] = g.shape(branch);
      let shortcut = blockInput;
      if (ih !== bh || iw !== bw || ic !== bc) {
        // No identity: a projection when asked for one, else the branch alone (as mbconv's skip rule).
        if (!onOff('proj', false)) return [branch];
        // The stride that takes a 1x1 'valid' conv from the input's size to the branch's (129 -> 65 is 2).
        const fits = (s: number) => Math.floor((ih! - 1) / s) + 1 === bh! && Math.floor((iw! - 1) / s) + 1 === bw!;
        const stride = [Math.floor(ih! / bh!), Math.ceil(ih! / bh!)].find((s) => s >= 1 && fits(s));
        if (stride === undefined) throw new ShapeError(diagnostic('E0408', st.span, { layer: name, what: `the block input ${g.shape(blockInput).join('x')} cannot be projected onto ${g.shape(branch).join('x')} by a strided 1x1 convolution` }));
        shortcut = g.bn(`${name}_bn`, g.conv(`${name}_conv`, blockInput, { filters: bc!, kernel: 1, stride, pad: 'valid' }));
      }
      return [g.addNodes(name, g.dropout(`${name}_drop`, branch, b.dropConnect, true), shortcut)];
    }
    case 'concat':
      return [g.concat(name, inputs)];
    case 'split': {
      const parts = st.targets.length;
      if (cin % parts !== 0) throw new ShapeError(diagnostic('E0403', st.span, { channels: cin, groups: parts, layer: name }));
      const size = cin / parts;
      return Array.from({ length: parts }, (_, i) => g.slice(`${name}_${i + 1}`, x, i * size, size));
    }
    case 'shuffle':
      return [g.shuffle(name, x, whole('groups'))];
    case 'scale':
      return [g.scale(name, x, value('init')!)];
    case 'maxpool':
    case 'avgpool':
      return [g.pool(name, x, st.op === 'maxpool' ? 'max' : 'avg', whole('kernel'), whole('stride', 1), (word('pad') as PadMode | undefined) ?? spec.padding)];
    default: {
      if (isActivationOp(st.op)) return [g.act(name, x, st.op)];
      // Another user block, its parameters the statement's options.
      const inner = spec.blocks[st.op]!;
      const innerArgs: Record<string, number> = {};
      for (const p of inner.params) {
        const v = st.options[p.name] !== undefined ? value(p.name) : p.default ? must(evaluate(p.default, (n) => innerArgs[n] ?? env(n), (d) => problems.push(d), p.name), problems) : p.name === 'stride' ? 1 : undefined;
        if (v === undefined) throw new ShapeError(diagnostic('E0336', st.span, { param: p.name, block: inner.name, signature: blockSignature(inner) }, p.name));
        innerArgs[p.name] = v;
      }
      return [buildUserBlock(g, spec, inner, innerArgs, b, x, name)];
    }
  }
}

/** The arguments a row's block is built with: the row's values, with its fields as scaled and strided. */
export function instanceArgs(L: LayerSpec, b: BlockInstance, args: Readonly<Record<string, number>>, def: BlockDef): Record<string, number> {
  const declared = new Set(def.params.map((p) => p.name));
  return {
    ...args,
    ...(declared.has('channels') && L.channels !== undefined ? { channels: L.channels } : {}),
    ...(declared.has('kernel') && L.kernel !== undefined ? { kernel: L.kernel } : {}),
    ...(declared.has('stride') ? { stride: b.stride } : {}),
  };
}
