/**
 * What a user-defined block is made of: the primitives a statement may name, with the options each takes.
 * Numeric options are expressions, evaluated when the block is built (they may name the block's parameters,
 * its lets, its tensors' channel counts and the model's params); the others are checked as they are written.
 * Every statement also takes `from` (its input tensors; default: the previous statement's output, or the block
 * input `in`) and `as` (the name its layers get: `block3a_<as>`).
 */
import { activations, type Activation } from './activations.js';

export type StatementOptionKind = 'expr' | 'onoff' | 'pad' | 'act' | 'gate';

export interface StatementOpDef {
  readonly summary: string;
  /** Option name → what its value is. */
  readonly options: Readonly<Record<string, StatementOptionKind>>;
  readonly required?: readonly string[];
  /** How many inputs `from` must name (undefined: one, the default one when left out). */
  readonly inputs?: 'two' | 'two or more';
  /** Several outputs: as many as names left of '='. */
  readonly outputs?: 'two or more';
}

const convOptions = { stride: 'expr', bias: 'onoff', pad: 'pad', norm: 'onoff', act: 'act' } as const;

const primitive = {
  conv: {
    summary: 'convolution + batch norm + activation (norm off, act none to leave them out)',
    options: { channels: 'expr', kernel: 'expr', groups: 'expr', ...convOptions },
    required: ['channels', 'kernel'],
  },
  dwconv: {
    summary: 'depthwise convolution (multiplier filters per channel) + batch norm + activation',
    options: { kernel: 'expr', multiplier: 'expr', ...convOptions },
    required: ['kernel'],
  },
  bn: { summary: 'batch norm alone (a pre-activation block: bn, relu, conv norm off)', options: {} },
  layernorm: { summary: "layer norm over the channels, at every position (ConvNeXt's LayerNorm2d)", options: { eps: 'expr' } },
  se: {
    summary: 'squeeze-excitation: pool, 1x1 conv to squeeze channels, act, 1x1 conv back, gate, multiply',
    options: { squeeze: 'expr', act: 'act', gate: 'gate' },
    required: ['squeeze'],
  },
  add: { summary: 'elementwise sum of two tensors', options: {}, inputs: 'two' },
  residual: {
    summary: "adds the block input when the shapes allow (drop-connect on the branch); proj on: else a 1x1 conv + BN projects it",
    options: { proj: 'onoff' },
  },
  concat: { summary: 'concatenates tensors along the channels', options: {}, inputs: 'two or more' },
  split: { summary: 'splits the channels into equal parts, one per name left of =', options: {}, outputs: 'two or more' },
  shuffle: { summary: 'channel shuffle: interleaves the channels of `groups` groups (ShuffleNet)', options: { groups: 'expr' }, required: ['groups'] },
  scale: { summary: 'a learnable per-channel scale, initialised to `init` (ConvNeXt layer scale)', options: { init: 'expr' }, required: ['init'] },
  maxpool: { summary: 'max pooling', options: { kernel: 'expr', stride: 'expr', pad: 'pad' }, required: ['kernel'] },
  avgpool: { summary: 'average pooling (padding not counted)', options: { kernel: 'expr', stride: 'expr', pad: 'pad' }, required: ['kernel'] },
} as const satisfies Record<string, StatementOpDef>;

/** Each activation is a statement of its own: `relu`, `gelu`, ... */
const activationOps = Object.fromEntries(
  activations.filter((a) => a !== 'none').map((a) => [a, { summary: `the ${a} activation`, options: {} } satisfies StatementOpDef]),
) as Record<Activation, StatementOpDef>;

export const statementOps: Readonly<Record<string, StatementOpDef>> = { ...primitive, ...activationOps };
export type StatementOpName = keyof typeof primitive | Activation;
export const statementOpNames = Object.keys(statementOps);

/** Options every statement takes. */
export const commonStatementOptions = ['from', 'as'] as const;

export const isActivationOp = (op: string): op is Activation => (activations as readonly string[]).includes(op) && op !== 'none';
