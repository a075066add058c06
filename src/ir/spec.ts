/**
 * The model spec IR: the file's meaning, checked and typed, before repeats are expanded. Immutable; every
 * node keeps its span, and `spans` maps each field and option to the text that set it, so a later stage can
 * point at exactly the property it is unhappy with.
 */
import type { Span } from '../source/span.js';
import type { Activation } from './activations.js';
import type { AtomAst, ModelAst } from '../syntax/ast.js';
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

/** A row (or layer) whose operator is a user-defined block: which block, and its parameters' values. */
export interface BlockUse {
  readonly name: string;
  /** Every parameter's value (the row's fields and options, else the block's defaults). */
  readonly args: Readonly<Record<string, number>>;
  /** `first NAME`: the stage's first block is this one instead (a downsampling unit). */
  readonly first?: { readonly name: string; readonly args: Readonly<Record<string, number>> };
}

/** A stage-table row, or one layer of the stem or head (repeats 1). */
export interface LayerSpec {
  /** A built-in operator, or 'block' for a user-defined one (see `block`). */
  readonly op: OpName | 'block';
  readonly block?: BlockUse;
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

/** A statement of a user-defined block; numeric options stay expressions until the block is built. */
export type BlockStatement =
  | { readonly kind: 'let'; readonly name: string; readonly value: AtomAst; readonly span: Span }
  | {
      readonly kind: 'op';
      /** A primitive (block-ops.ts) or another user block. */
      readonly op: string;
      readonly targets: readonly string[];
      /** Input tensors; empty: the previous statement's output (the block input `in` for the first). */
      readonly from: readonly string[];
      /** Option name → its value (an expression, or a word such as 'on' or 'relu'). */
      readonly options: Readonly<Record<string, AtomAst>>;
      /** The name its layers get inside the block (`as`), or the default `<op><index>`. */
      readonly name: string;
      readonly span: Span;
      readonly spans: Readonly<Record<string, Span>>;
    };

export interface BlockDef {
  readonly name: string;
  readonly span: Span;
  readonly nameSpan: Span;
  readonly params: readonly { readonly name: string; readonly default?: AtomAst; readonly span: Span }[];
  readonly body: readonly BlockStatement[];
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
  /** Replaces the operator of every stage row (ResNet-18/34 use basic, 50+ bottleneck; RegNet-Y its SE block). */
  readonly operator?: OpName | string;
  /** One entry per stage row; 0 leaves the row out (EfficientNetV2-S has one stage fewer than M and L). */
  readonly repeats?: readonly number[];
  /** One entry per stage row: each row's channels field. */
  readonly channels?: readonly number[];
  /** Model params this member sets (`params { growth 32 }` → `densenet161 growth 48`). */
  readonly params?: Readonly<Record<string, number>>;
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
  /** The model's params (`params { ... }`), with the values a variant set. */
  readonly params: Readonly<Record<string, number>>;
  /** User-defined blocks by name. */
  readonly blocks: Readonly<Record<string, BlockDef>>;
  /** The syntax tree the spec was lowered from: a variant that sets params lowers it again with them. */
  readonly ast?: ModelAst;
  readonly spans: Readonly<Record<string, Span>>;
}
