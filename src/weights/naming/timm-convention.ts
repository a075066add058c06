/**
 * timm's names for its EfficientNet-builder models (efficientnet_*, tf_efficientnet_*, mobilenetv2_*,
 * mobilenetv3_*, mnasnet_*), read from timm/models/_efficientnet_builder.py, _efficientnet_blocks.py,
 * efficientnet.py and mobilenetv3.py:
 *
 *   conv_stem, bn1                                    the stem conv
 *   blocks.<stage>.<block>.<name>                      InvertedResidual: conv_pw bn1 conv_dw bn2 se.conv_reduce
 *                                                      se.conv_expand conv_pwl bn3; a block without an expand
 *                                                      conv (DepthwiseSeparableConv): conv_dw bn1 se conv_pw bn2
 *   conv_head, bn2                                     the head conv (EfficientNet, MobileNetV2)
 *   blocks.<last>.0.conv, .bn1; conv_head (1x1, bias)  MobileNetV3: the 960 conv is a ConvBnAct block, and the
 *                                                      dense layer after the pool a 1x1 conv with a bias
 *   classifier
 *
 * timm's stages are runs of blocks with one output width, so a MobileNetV3 written one block per row maps
 * too; MnasNet's depthwise-separable stem layers are timm's blocks.0.0. (timm's ResNets keep torchvision's
 * names; the torchvision convention reads them.) timm's tf_ models share these keys and shapes with the
 * others but pad 'same' with BN eps 1e-3: nothing in the checkpoint tells them apart, so the user states it.
 */
import type { Graph, GraphNode } from '../../ir/graph.js';
import { blocksOf, type Block, type Unit } from '../block-units.js';
import type { Layout } from '../tensor-layouts.js';
import type { Convention, ConventionFamily } from './convention.js';
import { NUM_BATCHES_TRACKED, stateDictKey } from './effnet-names.js';

const inverted: Readonly<Record<string, [string, string?]>> = {
  expand_conv: ['conv_pw', 'bn1'],
  dwconv: ['conv_dw', 'bn2'],
  project_conv: ['conv_pwl', 'bn3'],
};
const separable: Readonly<Record<string, [string, string?]>> = {
  dwconv: ['conv_dw', 'bn1'],
  project_conv: ['conv_pw', 'bn2'],
};

const outWidth = (b: Block) => b.nodes.at(-1)!.shape.at(-1);

export const timmConvention: ConventionFamily = {
  name: 'timm',
  recognises: (keys) => keys.includes('conv_stem.weight') && keys.some((k) => /^blocks\.\d+\.\d+\./.test(k)),
  forGraph(graph: Graph): Convention {
    const prefixes = new Map<number, { prefix: string; layout: Layout }>();
    const put = (n: GraphNode | undefined, prefix: string, layout: Layout = 'canonical') => {
      if (n) prefixes.set(n.id, { prefix, layout });
    };
    const blocks = blocksOf(graph);
    const headDense = blocks.some((b) => b.section === 'head' && b.units.some((u) => u.kind === 'dense'));
    let stage = -1;
    let index = 0;
    let width: number | undefined;
    const nextStage = () => {
      stage++;
      index = 0;
    };
    const stem = blocks.filter((b) => b.section === 'stem');
    // MnasNet: a depthwise conv and a 1x1 conv after the stem conv are timm's first (separable) block.
    const separableStem = stem.length === 3 && stem[1]!.units[0]?.role === 'dwconv';
    for (const b of blocks) {
      const unit = (u: Unit, names: [string, string?], at: string) => {
        put(u.node, `${at}.${names[0]}`);
        if (names[1]) put(u.bn, `${at}.${names[1]}`);
      };
      if (b.section === 'stem') {
        const u = b.units[0];
        if (!u) continue;
        if (b.index === 0) unit(u, ['conv_stem', 'bn1'], '');
        else if (separableStem) unit(u, b.index === 1 ? ['conv_dw', 'bn1'] : ['conv_pw', 'bn2'], 'blocks.0.0');
        if (separableStem && b.index === 2) {
          stage = 0;
          index = 1;
          width = outWidth(b);
        }
      } else if (b.section === 'stage') {
        if (outWidth(b) !== width || stage < 0) nextStage();
        width = outWidth(b);
        const at = `blocks.${stage}.${index++}`;
        const names = b.units.some((u) => u.role === 'expand_conv') ? inverted : separable;
        for (const u of b.units) {
          if (u.kind === 'se') {
            put(u.node, `${at}.se.conv_reduce`);
            put(u.expand, `${at}.se.conv_expand`);
          } else if (names[u.role]) unit(u, names[u.role]!, at);
        }
      } else if (b.section === 'head') {
        for (const u of b.units) {
          if (u.kind === 'dense') put(u.node, 'conv_head', 'conv-1x1-as-dense');
          else if (headDense) {
            nextStage();
            unit(u, ['conv', 'bn1'], `blocks.${stage}.0`);
          } else unit(u, ['conv_head', 'bn2'], '');
        }
      } else for (const u of b.units) put(u.node, 'classifier');
    }
    return {
      name: 'timm',
      bind: (t) => {
        const p = prefixes.get(t.node.id);
        if (!p) return undefined;
        const prefix = p.prefix.replace(/^\./, '');
        return { key: stateDictKey(prefix, t.role), layout: t.role === 'kernel' ? p.layout : 'canonical' };
      },
      ignored: (key) => key.endsWith(`.${NUM_BATCHES_TRACKED}`),
    };
  },
};
