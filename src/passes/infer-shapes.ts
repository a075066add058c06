/**
 * Blocks → shaped graph of primitive ops. Each operator of the language is written out here once, as the
 * sequence of convs, norms and activations the reference implementations use, and every output shape is
 * inferred (and checked) on the way.
 */
import { diagnostic, type Diagnostic, type StageResult } from '../diagnostics/diagnostic.js';
import type { Activation } from '../ir/activations.js';
import type { Graph, GraphNode, PrimOp, Shape } from '../ir/graph.js';
import type { LayerSpec, ModelSpec } from '../ir/spec.js';
import type { Span } from '../source/span.js';
import { windowAxis, windowPads, type PadMode } from './conv-arithmetic.js';
import type { BlockInstance } from './expand-repeats.js';
import { makeDivisible } from './round-channels.js';

const MAX_ELEMENTS = 2 ** 31;

/** Thrown inside this module only, to stop the walk once a shape is broken; never escapes. */
class ShapeError extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
  }
}

class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  readonly warnings: Diagnostic[] = [];
  private readonly names = new Set<string>();
  block = 'input';
  stage = 'input';
  span: Span;

  constructor(readonly spec: ModelSpec) {
    this.span = spec.span;
  }

  shape(id: number): Shape {
    return this.nodes[id]!.shape;
  }

  private add(name: string, op: PrimOp, inputs: number[], shape: Shape): number {
    let unique = name;
    for (let k = 2; this.names.has(unique); k++) unique = `${name}_${k}`;
    this.names.add(unique);
    const elements = shape.reduce((a, b) => a * b, 1);
    if (elements > MAX_ELEMENTS) {
      throw new ShapeError(diagnostic('E0405', this.span, { elements: elements.toExponential(2), layer: unique }));
    }
    const id = this.nodes.length;
    this.nodes.push({ id, name: unique, op, inputs, shape, block: this.block, stage: this.stage, span: this.span });
    return id;
  }

  input(): number {
    const { height, width, channels } = this.spec.input;
    return this.add('input', { kind: 'input' }, [], [height, width, channels]);
  }

  private spatial(x: number, op: string): readonly [number, number, number] {
    const s = this.shape(x);
    if (s.length !== 3) throw new ShapeError(diagnostic('E0404', this.span, { op }));
    return s as readonly [number, number, number];
  }

  /** Checks the window fits, then returns output size and pads. */
  private window(x: number, kernel: number, stride: number, mode: PadMode, layer: string, kernelSpan: Span | undefined) {
    const [h, w] = this.spatial(x, layer);
    const hAxis = windowAxis(h, kernel, stride, mode);
    const wAxis = windowAxis(w, kernel, stride, mode);
    const size = `${h}x${w}`;
    if (mode === 'valid' && (kernel > h || kernel > w)) {
      throw new ShapeError(diagnostic('E0401', kernelSpan ?? this.span, { kernel, size, layer }, 'kernel'));
    }
    if (hAxis.out < 1 || wAxis.out < 1) {
      throw new ShapeError(diagnostic('E0402', this.span, { layer, size: `${hAxis.out}x${wAxis.out}` }));
    }
    if (kernel > h || kernel > w) {
      // Legal under same/symmetric padding (EfficientNet-B0 at 32x32 does it); worth knowing, not fatal.
      if (!this.warnings.some((d) => d.code === 'W0407' && d.span === (kernelSpan ?? this.span))) {
        this.warnings.push(diagnostic('W0407', kernelSpan ?? this.span, { kernel, size, layer }, 'kernel'));
      }
    }
    return { h: hAxis.out, w: wAxis.out, pads: windowPads(hAxis, wAxis) };
  }

  conv(name: string, x: number, o: { filters: number; kernel: number; stride: number; groups?: number; bias?: boolean }, spanOf?: LayerSpec): number {
    const [, , cin] = this.spatial(x, name);
    const groups = o.groups ?? 1;
    for (const c of [cin, o.filters]) {
      if (c % groups !== 0) throw new ShapeError(diagnostic('E0403', spanOf?.spans.groups ?? this.span, { channels: c, groups, layer: name }, 'groups'));
    }
    const win = this.window(x, o.kernel, o.stride, this.spec.padding, name, spanOf?.spans.kernel);
    const op: PrimOp = { kind: 'conv', filters: o.filters, kernel: o.kernel, stride: o.stride, groups, bias: o.bias ?? false, pads: win.pads };
    return this.add(name, op, [x], [win.h, win.w, o.filters]);
  }

  bn(name: string, x: number): number {
    const norm = this.spec.norm;
    if (!norm) return x;
    return this.add(name, { kind: 'batchnorm', eps: norm.eps, momentum: norm.momentum }, [x], this.shape(x));
  }

  act(name: string, x: number, fn: Activation): number {
    if (fn === 'none') return x;
    return this.add(name, { kind: 'activation', fn }, [x], this.shape(x));
  }

  /** conv → BN (if the model has norm and the layer wants it) → activation. */
  convBnAct(prefix: string, x: number, o: { filters: number; kernel: number; stride: number; groups?: number; bias?: boolean }, act: Activation, names: [string, string, string], norm = true, spanOf?: LayerSpec): number {
    let y = this.conv(`${prefix}_${names[0]}`, x, o, spanOf);
    if (norm) y = this.bn(`${prefix}_${names[1]}`, y);
    return this.act(`${prefix}_${names[2]}`, y, act);
  }

  addNodes(name: string, a: number, b: number): number {
    return this.add(name, { kind: 'add' }, [a, b], this.shape(a));
  }

  multiply(name: string, x: number, gate: number): number {
    return this.add(name, { kind: 'multiply' }, [x, gate], this.shape(x));
  }

  globalPool(name: string, x: number, keepDims: boolean): number {
    const [, , c] = this.spatial(x, name);
    return this.add(name, { kind: 'global_pool', keepDims }, [x], keepDims ? [1, 1, c] : [c]);
  }

  pool(name: string, x: number, mode: 'max' | 'avg', kernel: number, stride: number, pad: PadMode, spanOf?: LayerSpec): number {
    const [, , c] = this.spatial(x, name);
    const win = this.window(x, kernel, stride, pad, name, spanOf?.spans.kernel);
    return this.add(name, { kind: 'pool', mode, kernel, stride, pads: win.pads }, [x], [win.h, win.w, c]);
  }

  dense(name: string, x: number, units: number, bias: boolean): number {
    if (this.shape(x).length !== 1) throw new ShapeError(diagnostic('E0406', this.span, { op: name }));
    return this.add(name, { kind: 'dense', units, bias }, [x], [units]);
  }

  dropout(name: string, x: number, rate: number, perSample: boolean): number {
    if (rate <= 0) return x;
    return this.add(name, { kind: 'dropout', rate, perSample }, [x], this.shape(x));
  }
}

/** Squeeze-excitation on x (the expanded tensor): pool, reduce, act, expand, gate, multiply. */
function squeezeExcite(g: GraphBuilder, p: string, x: number, layer: LayerSpec, inChannels: number, blockAct: Activation): number {
  const se = layer.se!;
  const mid = g.shape(x)[2]!;
  const base = se.base === 'input' ? inChannels : mid;
  const exact = base * se.ratio;
  const squeezed = se.divisor ? makeDivisible(exact, se.divisor) : Math.max(1, Math.floor(exact));
  const pooled = g.globalPool(`${p}_se_squeeze`, x, true);
  const reduced = g.act(`${p}_se_reduce_activation`, g.conv(`${p}_se_reduce`, pooled, { filters: squeezed, kernel: 1, stride: 1, bias: true }), se.act ?? blockAct);
  const expanded = g.act(`${p}_se_expand_activation`, g.conv(`${p}_se_expand`, reduced, { filters: mid, kernel: 1, stride: 1, bias: true }), se.gate);
  return g.multiply(`${p}_se_excite`, x, expanded);
}

/** Identity shortcut (with drop-connect on the branch) when the block allows it. */
function residual(g: GraphBuilder, p: string, x: number, y: number, b: BlockInstance): number {
  const sx = g.shape(x);
  const sy = g.shape(y);
  if (!b.layer.skip || b.stride !== 1 || sx[2] !== sy[2] || sx[0] !== sy[0] || sx[1] !== sy[1]) return y;
  return g.addNodes(`${p}_add`, g.dropout(`${p}_drop`, y, b.dropConnect, true), x);
}

function emitBlock(g: GraphBuilder, b: BlockInstance, x: number): number {
  const L = b.layer;
  const p = b.prefix;
  const spec = g.spec;
  const act = L.act ?? (L.op === 'dense' ? 'none' : spec.activation);
  const cin = g.shape(x).length === 3 ? g.shape(x)[2]! : g.shape(x)[0]!;
  const k = L.kernel ?? 1;
  const s = b.stride;
  const norm = L.norm;
  switch (L.op) {
    case 'conv':
      return g.convBnAct(p, x, { filters: L.channels!, kernel: k, stride: s, groups: L.groups, bias: L.bias ?? false }, act, ['conv', 'bn', 'activation'], norm, L);
    case 'dwconv':
      return g.convBnAct(p, x, { filters: cin, kernel: k, stride: s, groups: cin, bias: L.bias ?? false }, act, ['dwconv', 'bn', 'activation'], norm, L);
    case 'dwsep': {
      const y = g.convBnAct(p, x, { filters: cin, kernel: k, stride: s, groups: cin }, act, ['dwconv', 'dw_bn', 'dw_activation'], true, L);
      return g.convBnAct(p, y, { filters: L.channels!, kernel: 1, stride: 1 }, act, ['pwconv', 'pw_bn', 'pw_activation'], true, L);
    }
    case 'mbconv': {
      const mid = L.mid ?? Math.round(cin * (L.expand ?? 1));
      let y = x;
      // No expand conv when it would map the input to the same width (expand 1, or MobileNetV3's first block).
      if (mid !== cin) {
        y = g.convBnAct(p, y, { filters: mid, kernel: 1, stride: 1 }, act, ['expand_conv', 'expand_bn', 'expand_activation'], true, L);
      }
      y = g.convBnAct(p, y, { filters: mid, kernel: k, stride: s, groups: mid }, act, ['dwconv', 'bn', 'activation'], true, L);
      if (L.se) y = squeezeExcite(g, p, y, L, cin, act);
      y = g.bn(`${p}_project_bn`, g.conv(`${p}_project_conv`, y, { filters: L.channels!, kernel: 1, stride: 1 }, L));
      return residual(g, p, x, y, b);
    }
    case 'fused_mbconv': {
      const mid = L.mid ?? Math.round(cin * (L.expand ?? 1));
      let y: number;
      if (mid === cin) {
        y = g.convBnAct(p, x, { filters: L.channels!, kernel: k, stride: s }, act, ['project_conv', 'project_bn', 'project_activation'], true, L);
        if (L.se) y = squeezeExcite(g, p, y, L, cin, act);
      } else {
        y = g.convBnAct(p, x, { filters: mid, kernel: k, stride: s }, act, ['expand_conv', 'expand_bn', 'expand_activation'], true, L);
        if (L.se) y = squeezeExcite(g, p, y, L, cin, act);
        y = g.bn(`${p}_project_bn`, g.conv(`${p}_project_conv`, y, { filters: L.channels!, kernel: 1, stride: 1 }, L));
      }
      return residual(g, p, x, y, b);
    }
    case 'basic':
    case 'bottleneck': {
      const planes = L.channels!;
      const out = L.op === 'basic' ? planes : planes * L.expansion;
      let y: number;
      if (L.op === 'basic') {
        y = g.convBnAct(p, x, { filters: planes, kernel: k, stride: s }, act, ['1_conv', '1_bn', '1_activation'], true, L);
        y = g.bn(`${p}_2_bn`, g.conv(`${p}_2_conv`, y, { filters: out, kernel: k, stride: 1 }, L));
      } else {
        // torchvision "v1.5": the stride sits on the k x k conv, not the first 1x1.
        y = g.convBnAct(p, x, { filters: planes, kernel: 1, stride: 1 }, act, ['1_conv', '1_bn', '1_activation'], true, L);
        y = g.convBnAct(p, y, { filters: planes, kernel: k, stride: s }, act, ['2_conv', '2_bn', '2_activation'], true, L);
        y = g.bn(`${p}_3_bn`, g.conv(`${p}_3_conv`, y, { filters: out, kernel: 1, stride: 1 }, L));
      }
      const shortcut = s !== 1 || cin !== out ? g.bn(`${p}_0_bn`, g.conv(`${p}_0_conv`, x, { filters: out, kernel: 1, stride: s }, L)) : x;
      const sum = g.addNodes(`${p}_add`, g.dropout(`${p}_drop`, y, b.dropConnect, true), shortcut);
      return g.act(`${p}_out`, sum, act);
    }
    case 'maxpool':
    case 'avgpool':
      return g.pool(`${p}_pool`, x, L.op === 'maxpool' ? 'max' : 'avg', k, s, L.pad ?? spec.padding, L);
    case 'gap':
      return g.globalPool(`${p}_gap`, x, false);
    case 'dense':
      return g.act(`${p}_dense_activation`, g.dense(`${p}_dense`, x, L.channels!, L.bias ?? true), act);
  }
}

/** Builds the shaped graph; shape errors stop the walk (later shapes would be meaningless). */
export function inferShapes(spec: ModelSpec, blocks: readonly BlockInstance[]): StageResult<Graph> {
  const g = new GraphBuilder(spec);
  try {
    if (spec.input.height < 1 || spec.input.width < 1) {
      throw new ShapeError(diagnostic('E0402', spec.spans.input ?? spec.span, { layer: 'input', size: `${spec.input.height}x${spec.input.width}` }, 'input'));
    }
    let x = g.input();
    for (const b of blocks) {
      g.block = b.prefix;
      g.stage = b.stage;
      g.span = b.layer.span;
      x = emitBlock(g, b, x);
    }
    if (spec.classifier) {
      g.block = 'classifier';
      g.stage = 'classifier';
      g.span = spec.classifier.span;
      if (g.shape(x).length === 3) x = g.globalPool('avg_pool', x, false);
      x = g.dropout('top_dropout', x, spec.classifier.dropout, false);
      x = g.dense('predictions', x, spec.classes!, true);
    }
    return { value: { spec, nodes: g.nodes, output: x }, diagnostics: g.warnings };
  } catch (e) {
    if (e instanceof ShapeError) return { diagnostics: [...g.warnings, e.diagnostic] };
    throw e;
  }
}
