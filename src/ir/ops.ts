/**
 * The closed operator vocabulary of the language: what each operator is, which stage-table fields it uses
 * and which options it takes. Lowering, checks, shape inference, the formatter and the docs test all read
 * this table, so an operator is added in one place.
 */

export type Field = 'repeats' | 'channels' | 'kernel' | 'stride';
/** Whether a stage-table column is required, optional (a default applies) or meaningless ('-'). */
export type FieldUse = 'required' | 'optional' | 'unused';

export interface OperatorDef {
  readonly summary: string;
  readonly fields: Readonly<Record<Exclude<Field, 'repeats'>, FieldUse>>;
  readonly options: readonly OptionName[];
  /** The kernel when the spec leaves it out (the ResNet blocks: 3). */
  readonly defaultKernel?: number;
}

const common = ['act', 'width', 'depth'] as const;
const se = ['se', 'se_base', 'se_gate', 'se_act', 'se_divisor'] as const;

export const operators = {
  conv: {
    summary: 'convolution + batch norm + activation',
    fields: { channels: 'required', kernel: 'required', stride: 'optional' },
    options: [...common, 'bias', 'groups', 'norm'],
  },
  dwconv: {
    summary: 'depthwise convolution (one filter per channel) + batch norm + activation',
    fields: { channels: 'unused', kernel: 'required', stride: 'optional' },
    options: [...common, 'bias', 'norm'],
  },
  dwsep: {
    summary: 'depthwise-separable block (MobileNetV1): depthwise k x k, BN, act, pointwise 1x1, BN, act',
    fields: { channels: 'required', kernel: 'required', stride: 'optional' },
    options: [...common],
  },
  mbconv: {
    summary: 'inverted residual (MobileNetV2, EfficientNet): expand 1x1, depthwise k x k, optional SE, linear project 1x1',
    fields: { channels: 'required', kernel: 'required', stride: 'optional' },
    options: [...common, 'expand', 'mid', ...se, 'skip'],
  },
  fused_mbconv: {
    summary: 'fused inverted residual (EfficientNetV2): expand k x k conv, optional SE, linear project 1x1',
    fields: { channels: 'required', kernel: 'required', stride: 'optional' },
    options: [...common, 'expand', 'mid', ...se, 'skip'],
  },
  basic: {
    summary: 'ResNet basic block: two 3x3 convs with a shortcut (projected when the shape changes)',
    fields: { channels: 'required', kernel: 'optional', stride: 'optional' },
    options: [...common],
    defaultKernel: 3,
  },
  bottleneck: {
    summary: 'ResNet bottleneck: 1x1, k x k (with the stride), 1x1 to channels x expansion, shortcut',
    fields: { channels: 'required', kernel: 'optional', stride: 'optional' },
    options: [...common, 'expansion'],
    defaultKernel: 3,
  },
  maxpool: {
    summary: 'max pooling',
    fields: { channels: 'unused', kernel: 'required', stride: 'optional' },
    options: ['pad', 'depth'],
  },
  avgpool: {
    summary: 'average pooling',
    fields: { channels: 'unused', kernel: 'required', stride: 'optional' },
    options: ['pad', 'depth'],
  },
  gap: {
    summary: 'global average pooling to a flat vector',
    fields: { channels: 'unused', kernel: 'unused', stride: 'unused' },
    options: [],
  },
  dense: {
    summary: 'fully connected layer (+ activation)',
    fields: { channels: 'required', kernel: 'unused', stride: 'unused' },
    options: ['act', 'bias', 'width', 'depth'],
  },
} as const satisfies Record<string, OperatorDef>;

export type OpName = keyof typeof operators;
export const operatorNames = Object.keys(operators) as OpName[];

/** What an option's value must be. */
export type OptionType =
  | { readonly kind: 'int'; readonly min: number }
  | { readonly kind: 'number'; readonly min: number; readonly max?: number; readonly minExclusive?: boolean }
  | { readonly kind: 'activation' }
  | { readonly kind: 'onoff' }
  | { readonly kind: 'enum'; readonly values: readonly string[] };

export const optionTypes = {
  act: { kind: 'activation' },
  bias: { kind: 'onoff' },
  groups: { kind: 'int', min: 1 },
  norm: { kind: 'onoff' },
  expand: { kind: 'number', min: 1 },
  mid: { kind: 'int', min: 1 },
  se: { kind: 'number', min: 0, max: 1, minExclusive: true },
  se_base: { kind: 'enum', values: ['input', 'expanded'] },
  se_gate: { kind: 'enum', values: ['sigmoid', 'hard_sigmoid'] },
  se_act: { kind: 'activation' },
  se_divisor: { kind: 'int', min: 1 },
  skip: { kind: 'onoff' },
  expansion: { kind: 'int', min: 1 },
  pad: { kind: 'enum', values: ['same', 'symmetric', 'valid'] },
  width: { kind: 'enum', values: ['scaled', 'fixed', 'grow'] },
  depth: { kind: 'enum', values: ['scaled', 'fixed'] },
} as const satisfies Record<string, OptionType>;

export type OptionName = keyof typeof optionTypes;

/** One-line meaning of each option, for docs and hints. */
export const optionDocs: Readonly<Record<OptionName, string>> = {
  act: 'activation after the layer, overriding the model default (none for linear)',
  bias: 'on: the conv or dense layer has a bias (default: off for convs, on for dense)',
  groups: 'grouped convolution: input and output channels split into this many groups',
  norm: 'off: no batch norm after the conv (default on)',
  expand: 'expansion ratio: hidden width = input channels x expand (1 skips the expand conv)',
  mid: 'hidden width given directly (MobileNetV3 tables), instead of expand',
  se: 'squeeze-excitation ratio in (0, 1]; absent means no SE',
  se_base: "what the SE ratio multiplies: 'input' block channels (EfficientNet) or 'expanded' (MobileNetV3)",
  se_gate: "SE gate: 'sigmoid' (EfficientNet) or 'hard_sigmoid' (MobileNetV3)",
  se_act: 'activation between the SE convs (default: the block activation)',
  se_divisor: 'round SE channels to a multiple of this (MobileNetV3: 8); default: truncate',
  skip: 'off: never add the identity shortcut, even where shapes allow it',
  expansion: 'bottleneck output = channels x expansion (default 4)',
  pad: "pooling padding: 'same' (TF), 'symmetric' (k//2 each side, PyTorch) or 'valid'",
  width: "how width scaling treats the channels: 'scaled' (default), 'fixed', or 'grow' (only when width > 1)",
  depth: "how depth scaling treats the repeats: 'scaled' (default) or 'fixed'",
};
