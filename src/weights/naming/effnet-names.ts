/**
 * effnet's own names for every tensor, one rule for its three forms. They are a public contract: ONNX
 * initializers, TF.js weights and PyTorch state_dict keys are named by it, checkpoints written under these
 * names load back, and a golden test pins them (test/golden/names/).
 *
 * - ONNX initializer: `<node>/<var>` in ONNX's layout: `block2a_expand_conv/kernel`, `stem_bn/moving_mean`.
 * - TF.js weight: `<layer>/<var>` in Keras's layout and names: `block2a_dwconv/depthwise_kernel`.
 * - state_dict key: `<module path>.<param>` in PyTorch's layout and names: `stage2.block2a.expand_conv.weight`,
 *   `stem.bn.running_mean`, `head.conv.weight`, `classifier.predictions.bias`.
 *
 * A node's module path is its stage, then its block, then its name within the block: block2a_expand_conv is
 * stage2 > block2a > expand_conv. A section of one block leaves the block out (a one-layer stem is `stem.conv`,
 * the classifier `classifier.predictions`); a stem of three layers is `stem.stem.conv`, `stem.stem2.dwconv`, ...
 */
import type { Graph, GraphNode } from '../../ir/graph.js';
import type { TensorRole } from '../../../backends/weight-source.js';

/** Keras variable names (ONNX and TF.js); TF.js calls a depthwise kernel `depthwise_kernel`. */
const kerasVariable: Readonly<Record<TensorRole, string>> = {
  kernel: 'kernel',
  bias: 'bias',
  gamma: 'gamma',
  beta: 'beta',
  mean: 'moving_mean',
  variance: 'moving_variance',
  scale: 'scale',
};

/** PyTorch parameter and buffer names: a conv's and a batch norm's. */
const torchParam: Readonly<Record<TensorRole, string>> = {
  kernel: 'weight',
  bias: 'bias',
  gamma: 'weight',
  beta: 'bias',
  mean: 'running_mean',
  variance: 'running_var',
  scale: 'weight',
};

export function onnxInitializerName(node: GraphNode, role: TensorRole): string {
  return `${node.name}/${kerasVariable[role]}`;
}

/** A depthwise conv: one filter (or a few) per input channel, which TF.js keeps as DepthwiseConv2D. */
export function isDepthwise(node: GraphNode, graph: Graph): boolean {
  if (node.op.kind !== 'conv' || node.op.groups === 1) return false;
  const cin = graph.nodes[node.inputs[0]!]!.shape[2]!;
  return node.op.groups === cin && node.op.filters % cin === 0;
}

export function tfjsWeightName(node: GraphNode, role: TensorRole, graph: Graph): string {
  // A layer scale is a 1x1 DepthwiseConv2D in TF.js (tfjs-layers has no per-channel scale layer).
  const depthwise = (role === 'kernel' && isDepthwise(node, graph)) || role === 'scale';
  return `${node.name}/${depthwise ? 'depthwise_kernel' : kerasVariable[role]}`;
}

/** The node's name inside its block: block2a_expand_conv → expand_conv. */
export function nameInBlock(node: GraphNode): string {
  return node.name.startsWith(`${node.block}_`) ? node.name.slice(node.block.length + 1) : node.name;
}

/** Module paths of a graph's nodes: stage > block > name, the block left out for a one-layer stem or head. */
export function modulePaths(graph: Graph): (node: GraphNode) => string {
  const blocksOf = new Map<string, Set<string>>();
  for (const n of graph.nodes) blocksOf.set(n.stage, (blocksOf.get(n.stage) ?? new Set()).add(n.block));
  return (node) => {
    // A stem, head or classifier of one block: no block level. Stage blocks always keep theirs.
    const single = (node.stage === 'stem' || node.stage === 'head' || node.stage === 'classifier') && blocksOf.get(node.stage)!.size === 1;
    return single ? `${node.stage}.${nameInBlock(node)}` : `${node.stage}.${node.block}.${nameInBlock(node)}`;
  };
}

export function stateDictKey(path: string, role: TensorRole): string {
  return `${path}.${torchParam[role]}`;
}

/** The batch norm buffer PyTorch adds, which a checkpoint may hold and effnet ignores. */
export const NUM_BATCHES_TRACKED = 'num_batches_tracked';
