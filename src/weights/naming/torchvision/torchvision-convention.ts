/**
 * torchvision's state_dict names. torchvision builds each family its own way, so there is one layout per
 * family, told apart by the keys, each following the spec's structure (sections, stages, blocks, units, and
 * in user-defined blocks the statements' names), one file per family:
 *
 *   efficientnet, mobilenet_v3, mobilenet_v2   features.<...>, classifier.<n>            features-layout.ts
 *   mnasnet                                     layers.<module, flat>                     mnasnet-layout.ts
 *   resnet (ResNeXt, Wide ResNet too)           conv1, layer<stage>.<block>.conv1, fc     resnet-layout.ts
 *   regnet (X and Y)                            stem.0, trunk_output.block1.block1-0.f.a.0 regnet-layout.ts
 *   convnext                                    features.1.0.block.3, .layer_scale        convnext-layout.ts
 *   densenet                                    features.denseblock1.denselayer1.norm1    densenet-layout.ts
 *   shufflenet_v2                               conv1.0, stage2.0.branch2.0, conv5.0      shufflenet-layout.ts
 *
 * (torchvision/models/*.py, 0.14.) Every torchvision family pads symmetrically (k // 2), and each fixes its
 * batch-norm epsilon: 1e-5, except MobileNetV3 and EfficientNetV2 (1e-3). ConvNeXt has no batch norm (its
 * layer norms' eps, 1e-6, is written in the spec's statements).
 */
import type { Graph } from '../../../ir/graph.js';
import { blocksOf } from '../../block-units.js';
import type { Convention, ConventionFamily, Numerics } from '../convention.js';
import { NUM_BATCHES_TRACKED, stateDictKey } from '../effnet-names.js';
import { convnextLayout } from './convnext-layout.js';
import { densenetLayout } from './densenet-layout.js';
import { featuresLayout } from './features-layout.js';
import { mnasnetLayout } from './mnasnet-layout.js';
import type { ModulePaths } from './module-paths.js';
import { regnetLayout } from './regnet-layout.js';
import { resnetLayout } from './resnet-layout.js';
import { shufflenetLayout } from './shufflenet-layout.js';

type Layout = 'efficientnet' | 'mobilenet_v3' | 'mobilenet_v2' | 'mnasnet' | 'resnet' | 'regnet' | 'convnext' | 'densenet' | 'shufflenet_v2';

function layoutOf(keys: readonly string[]): Layout | undefined {
  const has = (re: RegExp) => keys.some((k) => re.test(k));
  if (has(/^layer\d+\.\d+\.conv1\.weight$/) && has(/^conv1\.weight$/)) return 'resnet';
  if (has(/^trunk_output\.block\d+\.block\d+-\d+\./)) return 'regnet';
  if (has(/^features\.denseblock\d+\.denselayer\d+\./)) return 'densenet';
  if (has(/^stage\d+\.\d+\.branch2\./)) return 'shufflenet_v2';
  if (has(/^layers\.0\.weight$/)) return 'mnasnet';
  // Before EfficientNet's: a CNBlock's keys are features.<stage>.<block>.block.<n> too.
  if (has(/^features\.\d+\.\d+\.layer_scale$/)) return 'convnext';
  if (has(/^features\.\d+\.\d+\.block\./)) return 'efficientnet';
  if (has(/^features\.\d+\.block\./)) return 'mobilenet_v3';
  if (has(/^features\.\d+\.conv\./)) return 'mobilenet_v2';
  return undefined;
}

function numericsOf(layout: Layout, graph: Graph): Numerics {
  // EfficientNetV2 is the family with fused blocks.
  const v2 = graph.spec.stages.some((s) => s.op === 'fused_mbconv');
  const who: Record<Layout, string> = {
    efficientnet: v2 ? "torchvision's EfficientNetV2" : "torchvision's EfficientNet",
    mobilenet_v3: "torchvision's MobileNetV3",
    mobilenet_v2: "torchvision's MobileNetV2",
    mnasnet: "torchvision's MnasNet",
    resnet: "torchvision's ResNet",
    regnet: "torchvision's RegNet",
    convnext: "torchvision's ConvNeXt",
    densenet: "torchvision's DenseNet",
    shufflenet_v2: "torchvision's ShuffleNetV2",
  };
  const eps = layout === 'mobilenet_v3' || (layout === 'efficientnet' && v2) ? 1e-3 : 1e-5;
  return { padding: 'symmetric', bnEps: eps, who: who[layout] };
}

export const torchvisionConvention: ConventionFamily = {
  name: 'torchvision',
  recognises: (keys) => layoutOf(keys) !== undefined,
  forGraph(graph: Graph, keys: readonly string[]): Convention {
    const layout = layoutOf(keys) ?? 'efficientnet';
    const blocks = blocksOf(graph);
    const paths: ModulePaths = new Map();
    if (layout === 'resnet') resnetLayout(blocks, paths);
    else if (layout === 'regnet') regnetLayout(blocks, paths);
    else if (layout === 'convnext') convnextLayout(blocks, paths);
    else if (layout === 'densenet') densenetLayout(blocks, paths);
    else if (layout === 'shufflenet_v2') shufflenetLayout(blocks, paths);
    else if (layout === 'mnasnet') mnasnetLayout(blocks, paths);
    else featuresLayout(blocks, paths, layout === 'mobilenet_v2' ? 'conv' : 'block', layout === 'efficientnet');
    return {
      name: 'torchvision',
      layout,
      bind: (t) => {
        const at = paths.get(t.node.id);
        if (at === undefined) return undefined;
        const key = at.param ? `${at.module}.${at.param}` : stateDictKey(at.module, t.role);
        // The layout is the node's weight's; biases and norm statistics are vectors in every layout.
        const weight = t.role === 'kernel' || t.role === 'scale';
        return { key, layout: weight ? at.layout ?? 'canonical' : 'canonical' };
      },
      ignored: (key) => key.endsWith(`.${NUM_BATCHES_TRACKED}`),
      numerics: numericsOf(layout, graph),
      preprocessing: 'torchvision',
    };
  },
};
