/**
 * A naming convention says, for every tensor of a compiled graph, under which key and in which layout a
 * checkpoint of that convention stores it. One file per convention (effnet's own, TF.js's, torchvision's,
 * timm's); each builds its table from the graph's structure (sections, stages, blocks, units: block-units.ts),
 * so a spec a user writes for one of these families maps too, not only the shipped ones.
 */
import type { Graph } from '../../ir/graph.js';
import type { GraphTensor } from '../graph-tensors.js';
import type { Layout } from '../tensor-layouts.js';

export interface Binding {
  readonly key: string;
  readonly layout: Layout;
}

/** What a convention implies about the network's numerics, when its models are always built one way. */
export interface Numerics {
  readonly padding: 'same' | 'symmetric';
  readonly bnEps: number;
  /** Who builds them so: "torchvision's EfficientNet". */
  readonly who: string;
}

export interface Convention {
  /** 'effnet', 'tfjs', 'torchvision', 'timm'. */
  readonly name: string;
  /** The family layout within the convention, when it has several ('efficientnet', 'resnet', ...). */
  readonly layout?: string;
  /** The key of each graph tensor, or undefined for one the convention has no place for. */
  bind(t: GraphTensor): Binding | undefined;
  /** Keys a checkpoint of this convention holds that carry nothing effnet needs (num_batches_tracked). */
  ignored(key: string): boolean;
  readonly numerics?: Numerics;
  /**
   * The input preprocessing the convention's models are trained with, when every one of them is (torchvision's
   * ImageNet weights: resize to 256/224 of the input, centre crop, ImageNet mean and std): a compiled model
   * records it unless --preprocess says otherwise, so `effnet run` feeds it what it was trained on.
   */
  readonly preprocessing?: 'torchvision';
}

/** A convention that can tell, from a checkpoint's keys, whether they are its own, and build itself for a graph. */
export interface ConventionFamily {
  readonly name: string;
  /** Whether these keys are this convention's (the first matching family wins). */
  recognises(keys: readonly string[]): boolean;
  forGraph(graph: Graph, keys: readonly string[]): Convention;
}
