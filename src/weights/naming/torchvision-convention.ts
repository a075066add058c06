/**
 * torchvision's state_dict names. torchvision builds each family its own way, so there is one layout per
 * family, told apart by the keys, each following the spec's structure (sections, stages, blocks, units):
 *
 *   efficientnet   features.<stage>.<block>.block.<unit>.{0 conv, 1 bn | fc1, fc2}    (EfficientNet V1 and V2)
 *   mobilenet_v3   features.<block, flat>.block.<unit>.{0, 1 | fc1, fc2}; classifier.0, classifier.3
 *   mobilenet_v2   features.<block, flat>.conv.<unit>.{0, 1}, the linear projection as two modules
 *   mnasnet        layers.<module, flat>, a stage a Sequential of blocks, each layers.<module, flat>
 *   resnet         conv1, bn1, layer<stage>.<block>.{conv1, bn1, ..., downsample.0, downsample.1}, fc
 *
 * (torchvision/models/{efficientnet,mobilenetv2,mobilenetv3,mnasnet,resnet}.py, 0.14.) Every torchvision
 * family pads symmetrically (k // 2), and each fixes its batch-norm epsilon: 1e-5, except MobileNetV3 and
 * EfficientNetV2 (1e-3).
 */
import type { Graph, GraphNode } from '../../ir/graph.js';
import { blocksOf, type Block, type Unit } from '../block-units.js';
import type { Convention, ConventionFamily, Numerics } from './convention.js';
import { NUM_BATCHES_TRACKED, stateDictKey } from './effnet-names.js';

type Layout = 'efficientnet' | 'mobilenet_v3' | 'mobilenet_v2' | 'mnasnet' | 'resnet';

function layoutOf(keys: readonly string[]): Layout | undefined {
  const has = (re: RegExp) => keys.some((k) => re.test(k));
  if (has(/^layer\d+\.\d+\.conv1\.weight$/) && has(/^conv1\.weight$/)) return 'resnet';
  if (has(/^layers\.0\.weight$/)) return 'mnasnet';
  if (has(/^features\.\d+\.\d+\.block\./)) return 'efficientnet';
  if (has(/^features\.\d+\.block\./)) return 'mobilenet_v3';
  if (has(/^features\.\d+\.conv\./)) return 'mobilenet_v2';
  return undefined;
}

/** Module prefixes of the nodes that hold tensors: conv and dense nodes, and batch norms. */
type Prefixes = Map<number, string>;

const put = (p: Prefixes, n: GraphNode | undefined, prefix: string) => {
  if (n) p.set(n.id, prefix);
};

/** A Conv2dNormActivation (or SE) unit at `at`: conv `.0`, bn `.1`; SE fc1, fc2. */
function normActUnit(p: Prefixes, u: Unit, at: string): void {
  if (u.kind === 'se') {
    put(p, u.node, `${at}.fc1`);
    put(p, u.expand, `${at}.fc2`);
  } else if (u.kind === 'dense') put(p, u.node, at);
  else {
    put(p, u.node, `${at}.0`);
    put(p, u.bn, `${at}.1`);
  }
}

/** Stem blocks, then stage blocks (numbered by `stageFeature`), then head blocks, each a `features.N`. */
function featuresLayout(blocks: readonly Block[], p: Prefixes, inner: 'block' | 'conv', nested: boolean): void {
  const stems = blocks.filter((b) => b.section === 'stem').length;
  const stages = Math.max(0, ...blocks.map((b) => b.stage));
  const stageBlocks = blocks.filter((b) => b.section === 'stage').length;
  let head = nested ? stems + stages : stems + stageBlocks;
  let headDense = 0;
  for (const b of blocks) {
    if (b.section === 'stem') {
      normActUnit(p, b.units[0]!, `features.${b.index}`);
    } else if (b.section === 'stage') {
      const base = nested ? `features.${stems + b.stage - 1}.${b.index}.${inner}` : `features.${stems + b.globalIndex}.${inner}`;
      let k = 0;
      for (const u of b.units) {
        // MobileNetV2's linear projection is a bare Conv2d and BatchNorm2d, two modules, not one.
        if (inner === 'conv' && u.kind === 'conv' && !u.activated) {
          put(p, u.node, `${base}.${k++}`);
          put(p, u.bn, `${base}.${k++}`);
        } else normActUnit(p, u, `${base}.${k++}`);
      }
    } else if (b.section === 'head') {
      for (const u of b.units) {
        if (u.kind === 'dense') put(p, u.node, `classifier.${3 * headDense++}`);
        else normActUnit(p, u, `features.${head}`);
      }
      if (b.units.some((u) => u.kind === 'conv')) head++;
    } else {
      // The classifier: Dropout then Linear (classifier.1); after a dense head (MobileNetV3), its last Linear.
      for (const u of b.units) put(p, u.node, headDense ? `classifier.${3 * headDense}` : 'classifier.1');
    }
  }
}

/** MnasNet numbers every module, activations included; a stage is one Sequential of blocks. */
function mnasnetLayout(blocks: readonly Block[], p: Prefixes): void {
  let at = 0;
  let stage = 0;
  const numbered = (nodes: readonly GraphNode[], prefix: string, start: number): number => {
    let k = start;
    for (const n of nodes) {
      if (n.op.kind !== 'conv' && n.op.kind !== 'batchnorm' && n.op.kind !== 'activation') continue;
      if (n.op.kind !== 'activation') put(p, n, `${prefix}${k}`);
      k++;
    }
    return k;
  };
  for (const b of blocks) {
    if (b.section === 'stage') {
      if (b.stage !== stage) {
        if (stage !== 0) at++;
        stage = b.stage;
      }
      numbered(b.nodes, `layers.${at}.${b.index}.layers.`, 0);
      continue;
    }
    if (stage !== 0 && b.section !== 'stem') {
      at++;
      stage = 0;
    }
    if (b.section === 'classifier') for (const u of b.units) put(p, u.node, 'classifier.1');
    else at = numbered(b.nodes, 'layers.', at);
  }
}

const resnetUnits: Readonly<Record<string, [string, string]>> = {
  '1_conv': ['conv1', 'bn1'],
  '2_conv': ['conv2', 'bn2'],
  '3_conv': ['conv3', 'bn3'],
  '0_conv': ['downsample.0', 'downsample.1'],
};

function resnetLayout(blocks: readonly Block[], p: Prefixes): void {
  for (const b of blocks) {
    if (b.section === 'stem') {
      for (const u of b.units) {
        put(p, u.node, 'conv1');
        put(p, u.bn, 'bn1');
      }
    } else if (b.section === 'stage') {
      for (const u of b.units) {
        const names = resnetUnits[u.role];
        if (!names) continue;
        put(p, u.node, `layer${b.stage}.${b.index}.${names[0]}`);
        put(p, u.bn, `layer${b.stage}.${b.index}.${names[1]}`);
      }
    } else if (b.section === 'classifier') for (const u of b.units) put(p, u.node, 'fc');
  }
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
    const prefixes: Prefixes = new Map();
    if (layout === 'resnet') resnetLayout(blocks, prefixes);
    else if (layout === 'mnasnet') mnasnetLayout(blocks, prefixes);
    else featuresLayout(blocks, prefixes, layout === 'mobilenet_v2' ? 'conv' : 'block', layout === 'efficientnet');
    return {
      name: 'torchvision',
      layout,
      bind: (t) => {
        const prefix = prefixes.get(t.node.id);
        return prefix === undefined ? undefined : { key: stateDictKey(prefix, t.role), layout: 'canonical' };
      },
      ignored: (key) => key.endsWith(`.${NUM_BATCHES_TRACKED}`),
      numerics: numericsOf(layout, graph),
    };
  },
};
