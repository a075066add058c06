/**
 * Blocks → shaped graph of primitive ops. Each operator of the language is written out here once, as the
 * sequence of convs, norms and activations the reference implementations use, and every output shape is
 * inferred (and checked) on the way.
 */
import { diagnostic, type StageResult } from '../diagnostics/diagnostic.js';
import type { Activation } from '../ir/activations.js';
import type { Graph } from '../ir/graph.js';
import type { LayerSpec, ModelSpec } from '../ir/spec.js';
import type { BlockInstance } from './expand-repeats.js';
import { buildUserBlock, instanceArgs } from './build-user-block.js';
import { GraphBuilder, ShapeError } from './graph-builder.js';
import { makeDivisible } from './round-channels.js';

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
  if (L.op === 'block') {
    // A stage's first block may be another one (`first`).
    const use = b.repeatIndex === 0 && L.block!.first ? L.block!.first : L.block!;
    const def = spec.blocks[use.name]!;
    return buildUserBlock(g, spec, def, instanceArgs(L, b, use.args, def), b, x, p);
  }
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
