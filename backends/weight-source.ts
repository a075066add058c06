/**
 * Where a network's weights come from: the seeded reference initialisers, zeros, or a checkpoint. Both
 * backends ask one question per tensor (this node's kernel, that batch norm's running mean) in one layout,
 * ONNX's, and convert from there; so a checkpoint is mapped once, and both files hold the same numbers.
 *
 * Canonical layouts: conv kernels [out, in / groups, k, k]; dense kernels [units, inputs]; every other tensor
 * (biases, batch-norm gamma, beta, mean, variance) [channels].
 */
import type { GraphNode } from '../src/ir/graph.js';

/** The tensors a node can have. */
/** A conv's or dense layer's kernel and bias; a batch norm's (or layer norm's) gamma and beta, a batch norm's running mean and variance; a layer scale's vector. */
export type TensorRole = 'kernel' | 'bias' | 'gamma' | 'beta' | 'mean' | 'variance' | 'scale';

export interface WeightSource {
  /** A fresh array the caller may change (folding scales it in place), in the canonical layout and `shape`. */
  tensor(node: GraphNode, role: TensorRole, shape: readonly number[]): Float32Array;
  /** For metadata and logs: 'random, seed 0', 'zeros', 'b0.pth (torchvision names)'. */
  readonly description: string;
}

/** The four tensors of an inference-time batch norm. */
export interface BatchNormTensors {
  readonly gamma: Float32Array;
  readonly beta: Float32Array;
  readonly mean: Float32Array;
  readonly variance: Float32Array;
}

export function batchNormOf(source: WeightSource, bn: GraphNode, channels: number): BatchNormTensors {
  const t = (role: TensorRole) => source.tensor(bn, role, [channels]);
  return { gamma: t('gamma'), beta: t('beta'), mean: t('mean'), variance: t('variance') };
}
