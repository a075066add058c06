/**
 * The model spec IR: the file's meaning, checked and typed, before repeats are expanded. Immutable; every
 * node keeps its span, and `spans` maps each field and option to the text that set it, so a later stage can
 * point at exactly the property it is unhappy with.
 */
import type { Span } from '../source/span.js';
import type { Activation } from './activations.js';
import type { Field, OpName, OptionName } from './ops.js';

export type Padding = 'same' | 'symmetric';

export interface SeSpec {
  /** Squeeze channels = base channels x ratio. */
  readonly ratio: number;
  readonly base: 'input' | 'expanded';
  readonly gate: 'sigmoid' | 'hard_sigmoid';
  /** Activation between the two SE convs; the block's activation when absent. */
  readonly act?: Activation;
  /** Round squeeze channels to a multiple of this (MobileNetV3); truncate when absent (EfficientNet). */
  readonly divisor?: number;
}

/** A stage-table row, or one layer of the stem or head (repeats 1). */
export interface LayerSpec {
  readonly op: OpName;
  readonly span: Span;
  readonly repeats: number;
  readonly channels?: number;
  readonly kernel?: number;
  readonly stride: number;
  readonly act?: Activation;
  readonly bias?: boolean;
  readonly groups: number;
  readonly norm: boolean;
  readonly expand?: number;
  readonly mid?: number;
  readonly se?: SeSpec;
  readonly skip: boolean;
  readonly expansion: number;
  readonly pad?: 'same' | 'symmetric' | 'valid';
  readonly width: 'scaled' | 'fixed' | 'grow';
  readonly depth: 'scaled' | 'fixed';
  readonly spans: Readonly<Partial<Record<Field | OptionName | 'op', Span>>>;
}

export interface VariantSpec {
  readonly name: string;
  readonly span: Span;
  readonly width?: number;
  readonly depth?: number;
  readonly resolution?: number;
  readonly phi?: number;
  readonly dropout?: number;
  readonly classes?: number;
  /** Replaces the operator of every residual-block stage (ResNet-18/34 use basic, 50+ bottleneck). */
  readonly operator?: OpName;
  /** One entry per stage row. */
  readonly repeats?: readonly number[];
  readonly spans: Readonly<Record<string, Span>>;
}

/** The spec's `scaling` block: how compound scaling treats this family (issue: compound scaling). */
export interface ScalingSpec {
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
  /** Channels are rounded to a multiple of this ('divisible' rounding). */
  readonly divisor: number;
  readonly minChannels?: number;
  /** 'divisible': timm/TF make_divisible, never 10 % below; 'truncate': Keras MobileNetV1 int(c * w). */
  readonly rounding: 'divisible' | 'truncate';
  /** Scaled resolutions are rounded to a multiple of this. */
  readonly resolutionDivisor: number;
  readonly spans: Readonly<Record<string, Span>>;
}

/** Which scaling produced this model (identity for a spec as written). */
export interface AppliedScaling {
  readonly variant?: string;
  readonly phi?: number;
  /** The compound bases used with phi. */
  readonly alpha?: number;
  readonly beta?: number;
  readonly gamma?: number;
  readonly width: number;
  readonly depth: number;
  /** Resolution multiplier r; the resulting input size is in `input`. */
  readonly resolution: number;
}

export interface ModelSpec {
  readonly name: string;
  readonly span: Span;
  readonly input: { readonly height: number; readonly width: number; readonly channels: number };
  readonly classes?: number;
  readonly activation: Activation;
  /** Batch norm after convs, or none. Momentum in the Keras/TF sense (moving-average decay). */
  readonly norm?: { readonly eps: number; readonly momentum: number };
  readonly padding: Padding;
  /** Stochastic-depth rate of the last block; block i of N gets rate * i / N (training only). */
  readonly dropConnect: number;
  readonly stem: readonly LayerSpec[];
  readonly stages: readonly LayerSpec[];
  readonly head: readonly LayerSpec[];
  readonly classifier?: { readonly dropout: number; readonly span: Span };
  readonly variants: readonly VariantSpec[];
  readonly scaling: ScalingSpec;
  readonly applied: AppliedScaling;
  readonly spans: Readonly<Record<string, Span>>;
}
