/**
 * Every tensor a shaped graph holds, in graph order and effnet's canonical layouts: what a checkpoint must
 * provide, what the backends write (before any folding), and what the naming conventions name.
 */
import type { TensorRole } from '../../backends/weight-source.js';
import type { Graph, GraphNode } from '../ir/graph.js';

export interface GraphTensor {
  readonly node: GraphNode;
  readonly role: TensorRole;
  /** conv [out, in / groups, k, k]; dense [units, inputs]; vectors [channels]. */
  readonly shape: readonly number[];
  /** False for batch-norm running statistics. */
  readonly trainable: boolean;
}

export function graphTensors(graph: Graph): GraphTensor[] {
  const out: GraphTensor[] = [];
  for (const node of graph.nodes) {
    const op = node.op;
    const input = node.inputs.length ? graph.nodes[node.inputs[0]!]!.shape : [];
    const add = (role: TensorRole, shape: readonly number[], trainable = true) => out.push({ node, role, shape, trainable });
    if (op.kind === 'conv') {
      add('kernel', [op.filters, input[2]! / op.groups, op.kernel, op.kernel]);
      if (op.bias) add('bias', [op.filters]);
    } else if (op.kind === 'dense') {
      add('kernel', [op.units, input[0]!]);
      if (op.bias) add('bias', [op.units]);
    } else if (op.kind === 'layernorm') {
      const c = node.shape[node.shape.length - 1]!;
      add('gamma', [c]);
      add('beta', [c]);
    } else if (op.kind === 'scale') {
      add('scale', [node.shape[node.shape.length - 1]!]);
    } else if (op.kind === 'batchnorm') {
      const c = node.shape[node.shape.length - 1]!;
      add('gamma', [c]);
      add('beta', [c]);
      add('mean', [c], false);
      add('variance', [c], false);
    }
  }
  return out;
}
