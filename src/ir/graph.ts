/**
 * The shaped graph: the spec expanded into primitive operations with inferred shapes. This is what the cost
 * report counts and what both backends emit, so the three can never disagree about the network.
 *
 * Shapes are per sample, without the batch axis: [height, width, channels] for feature maps, [features]
 * once flattened. Backends add the batch axis and choose their own layout (NCHW for ONNX, NHWC for TF.js).
 */
import type { Span } from '../source/span.js';
import type { Activation } from './activations.js';
import type { ModelSpec } from './spec.js';

export type Shape = readonly number[];

/** Explicit zero padding per side; TF "same" is asymmetric at stride 2 on even sizes. */
export interface Pads {
  readonly top: number;
  readonly left: number;
  readonly bottom: number;
  readonly right: number;
}

/** The closed set of primitive operations. */
export type PrimOp =
  /** The network input. */
  | { readonly kind: 'input' }
  /** 2-D convolution; groups = channels makes it depthwise. */
  | { readonly kind: 'conv'; readonly filters: number; readonly kernel: number; readonly stride: number; readonly groups: number; readonly bias: boolean; readonly pads: Pads }
  /** Inference-time batch norm: (x - mean) / sqrt(var + eps) * gamma + beta. Momentum only matters for training. */
  | { readonly kind: 'batchnorm'; readonly eps: number; readonly momentum: number }
  | { readonly kind: 'activation'; readonly fn: Activation }
  /** Elementwise sum of two same-shaped tensors (residual). */
  | { readonly kind: 'add' }
  /** Elementwise product; the second input may be [1, 1, C] and broadcast (squeeze-excitation). */
  | { readonly kind: 'multiply' }
  /** Spatial mean; keepDims gives [1, 1, C] (SE squeeze), else [C] (classifier). */
  | { readonly kind: 'global_pool'; readonly keepDims: boolean }
  | { readonly kind: 'pool'; readonly mode: 'max' | 'avg'; readonly kernel: number; readonly stride: number; readonly pads: Pads }
  | { readonly kind: 'dense'; readonly units: number; readonly bias: boolean }
  /** Training-only; perSample drops whole residual branches (drop-connect / stochastic depth). */
  | { readonly kind: 'dropout'; readonly rate: number; readonly perSample: boolean }
  /** Layer norm over the channels at every position (or over a flat vector), with a learnable scale and shift. */
  | { readonly kind: 'layernorm'; readonly eps: number }
  /** Concatenation of its inputs along the channels. */
  | { readonly kind: 'concat' }
  /** Channels [start, start + size) of its input (one part of a split). */
  | { readonly kind: 'slice'; readonly start: number; readonly size: number }
  /** Channel shuffle: output channel g * (C / groups) + i ... interleaved, as ShuffleNet's reshape-transpose. */
  | { readonly kind: 'shuffle'; readonly groups: number }
  /** A learnable per-channel scale (ConvNeXt's layer scale), initialised to `init`. */
  | { readonly kind: 'scale'; readonly init: number };

export type PrimKind = PrimOp['kind'];

export interface GraphNode {
  /** Index in Graph.nodes; inputs always refer to earlier nodes (topological order). */
  readonly id: number;
  /** Keras-style, unique: block2a_expand_conv. */
  readonly name: string;
  readonly op: PrimOp;
  readonly inputs: readonly number[];
  readonly shape: Shape;
  /** Roll-up keys: 'stem', 'block2a', 'top', 'classifier' and 'stem', 'stage2', 'head', 'classifier'. */
  readonly block: string;
  readonly stage: string;
  /** The spec text this node came from (a repeated block keeps its row's span). */
  readonly span: Span;
}

export interface Graph {
  readonly spec: ModelSpec;
  readonly nodes: readonly GraphNode[];
  readonly output: number;
}
