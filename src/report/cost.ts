/**
 * What each primitive op costs. Conventions (the EfficientNet paper's, torchvision's `_ops`):
 * - MACs: multiply-accumulates of convolutions (SE convs included) and dense layers. FLOPs = 2 x MACs.
 * - params: trainable weights (kernels, biases, BN gamma and beta); BN running mean and variance are
 *   counted apart as `bnStats` (Keras adds them to its total; PyTorch calls them buffers).
 * - otherOps: everything that is not a MAC, counted per output element: BN 2 (scale, shift), an activation
 *   1, add 1, multiply 1, layer scale 1, layer norm 5; pooling k x k per output element; global pooling one
 *   per input element. Dropout, concatenation, channel split and shuffle move data and cost no operation.
 * - params also count layer norm's scale and shift and layer scale's vector (PyTorch's count).
 */
import type { Graph, GraphNode } from '../ir/graph.js';

export interface Cost {
  readonly params: number;
  readonly bnStats: number;
  readonly macs: number;
  readonly otherOps: number;
  /** Elements of the output tensor, per sample (0 for dropout, the identity at inference). */
  readonly activations: number;
}

export const zeroCost: Cost = { params: 0, bnStats: 0, macs: 0, otherOps: 0, activations: 0 };

export function addCosts(a: Cost, b: Cost): Cost {
  return {
    params: a.params + b.params,
    bnStats: a.bnStats + b.bnStats,
    macs: a.macs + b.macs,
    otherOps: a.otherOps + b.otherOps,
    activations: a.activations + b.activations,
  };
}

const elementsOf = (shape: readonly number[]) => shape.reduce((x, y) => x * y, 1);

/** The cost of one node. Exhaustive over PrimOp: an op the counter cannot cost does not compile. */
export function nodeCost(node: GraphNode, graph: Graph): Cost {
  const out = elementsOf(node.shape);
  const inShape = node.inputs.length > 0 ? graph.nodes[node.inputs[0]!]!.shape : [];
  const op = node.op;
  switch (op.kind) {
    case 'input':
      return { ...zeroCost, activations: out };
    case 'conv': {
      const cin = inShape[2]!;
      const weights = op.kernel * op.kernel * (cin / op.groups) * op.filters;
      const spatial = node.shape[0]! * node.shape[1]!;
      return { params: weights + (op.bias ? op.filters : 0), bnStats: 0, macs: spatial * weights, otherOps: op.bias ? out : 0, activations: out };
    }
    case 'batchnorm': {
      const c = node.shape[node.shape.length - 1]!;
      return { params: 2 * c, bnStats: 2 * c, macs: 0, otherOps: 2 * out, activations: out };
    }
    case 'activation':
    case 'add':
    case 'multiply':
      return { ...zeroCost, otherOps: out, activations: out };
    case 'global_pool':
      return { ...zeroCost, otherOps: elementsOf(inShape), activations: out };
    case 'pool':
      return { ...zeroCost, otherOps: out * op.kernel * op.kernel, activations: out };
    case 'dense': {
      const fin = inShape[0]!;
      return { params: fin * op.units + (op.bias ? op.units : 0), bnStats: 0, macs: fin * op.units, otherOps: op.bias ? op.units : 0, activations: out };
    }
    case 'dropout':
      // The identity at inference: no new tensor.
      return zeroCost;
    case 'layernorm': {
      // Scale and shift are parameters; per element: subtract the mean, square, normalise, scale, shift.
      const c = node.shape[node.shape.length - 1]!;
      return { ...zeroCost, params: 2 * c, otherOps: 5 * out, activations: out };
    }
    case 'scale': {
      const c = node.shape[node.shape.length - 1]!;
      return { ...zeroCost, params: c, otherOps: out, activations: out };
    }
    case 'concat':
    case 'slice':
    case 'shuffle':
      // Data movement: no arithmetic, but a new tensor.
      return { ...zeroCost, activations: out };
  }
}

export interface LayerCost {
  readonly node: GraphNode;
  readonly cost: Cost;
}

export interface GroupCost {
  readonly key: string;
  readonly cost: Cost;
  /** Output shape of the group's last node. */
  readonly shape: readonly number[];
  readonly layers: number;
}

export interface CostReport {
  readonly layers: readonly LayerCost[];
  readonly blocks: readonly GroupCost[];
  readonly stages: readonly GroupCost[];
  readonly total: Cost;
}

function rollUp(layers: readonly LayerCost[], keyOf: (n: GraphNode) => string): GroupCost[] {
  const groups: { key: string; cost: Cost; shape: readonly number[]; layers: number }[] = [];
  for (const l of layers) {
    const key = keyOf(l.node);
    let g = groups[groups.length - 1];
    if (!g || g.key !== key) {
      g = { key, cost: zeroCost, shape: l.node.shape, layers: 0 };
      groups.push(g);
    }
    g.cost = addCosts(g.cost, l.cost);
    g.shape = l.node.shape;
    g.layers++;
  }
  return groups;
}

/** Costs per layer, rolled up per block and stage (in graph order, which is stage order). */
export function costReport(graph: Graph): CostReport {
  const layers = graph.nodes.filter((n) => n.op.kind !== 'input').map((node) => ({ node, cost: nodeCost(node, graph) }));
  return {
    layers,
    blocks: rollUp(layers, (n) => n.block),
    stages: rollUp(layers, (n) => n.stage),
    total: layers.reduce((t, l) => addCosts(t, l.cost), zeroCost),
  };
}
