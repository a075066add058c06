/**
 * One function per primitive op: each appends ONNX nodes and initializers for an IR node and binds the IR
 * node to the tensor that holds its value. Ops with no inference-time effect (dropout, a 'none' activation,
 * a batch norm folded into its conv) bind to their input's tensor and emit nothing.
 *
 * Layout: IR shapes are per sample [H, W, C] / [C]; ONNX tensors are [N, C, H, W] / [N, C].
 */
import type onnxProto from 'onnx-proto';
import type { GraphNode, Graph, PrimOp } from '../../src/ir/graph.js';
import { batchNormOf, type WeightSource } from '../weight-source.js';
import { onnxInitializerName } from '../../src/weights/naming/effnet-names.js';
import { bnScale, foldBias, foldKernel } from '../fold-bn.js';
import { int64Constant, type Initializer } from './initializer.js';
import { OnnxExportError } from './onnx-error.js';
import { windowPadAttributes } from './window-padding.js';

type NodeProto = onnxProto.onnx.INodeProto;
type AttributeProto = onnxProto.onnx.IAttributeProto;
/** A dimension: a fixed size or a symbolic name (the batch axis, 'N'). */
export type Dim = number | string;

/** What the op lowerings may do to the graph being built (implemented by onnx-backend.ts). */
export interface LoweringContext {
  readonly graph: Graph;
  readonly opset: number;
  /** Where every tensor's values come from. */
  readonly weights: WeightSource;
  /** The batch axis of every tensor. */
  readonly batch: Dim;
  /** Height and width symbolic: size-dependent 'same' windows pad at run time (window-padding.ts). */
  readonly dynamicSize: boolean;
  /** The tensor that holds an earlier IR node's value. */
  tensor(id: number): string;
  /** The name for the tensor an IR node produces: its own name, or 'logits' for the graph output. */
  outputName(node: GraphNode): string;
  bind(id: number, tensor: string): void;
  /** Appends a node; `shapes` gives each new tensor's dims for value_info. */
  node(proto: NodeProto, shapes: Readonly<Record<string, readonly Dim[]>>): void;
  /** Adds an initializer (once per name) and returns its name. */
  initializer(init: Initializer): string;
  /** The batch norm folded into this conv, if any. */
  foldedBn(conv: GraphNode): GraphNode | undefined;
}

// ---- attribute helpers ----

const AT = { FLOAT: 1, INT: 2, INTS: 7 } as const;
const ints = (name: string, values: readonly number[]): AttributeProto => ({ name, type: AT.INTS, ints: [...values] });
const int = (name: string, value: number): AttributeProto => ({ name, type: AT.INT, i: value });
const float = (name: string, value: number): AttributeProto => ({ name, type: AT.FLOAT, f: value });

/** [H, W, C] → [N, C, H, W]; [C] → [N, C]. */
export function onnxDims(shape: readonly number[], batch: Dim): Dim[] {
  if (shape.length === 3) return [batch, shape[2]!, shape[0]!, shape[1]!];
  if (shape.length === 1) return [batch, shape[0]!];
  throw new OnnxExportError(`internal: no ONNX layout for a tensor of rank ${shape.length}`);
}

const inputOf = (node: GraphNode, ctx: LoweringContext, i = 0): GraphNode => ctx.graph.nodes[node.inputs[i]!]!;
const channelsOf = (n: GraphNode): number => n.shape[n.shape.length - 1]!;
const dimsOf = (node: GraphNode, ctx: LoweringContext) => onnxDims(node.shape, ctx.batch);

// ---- one lowering per op ----

type Lowering<K extends PrimOp['kind']> = (node: GraphNode & { op: Extract<PrimOp, { kind: K }> }, ctx: LoweringContext) => void;

const lowerInput: Lowering<'input'> = (node, ctx) => ctx.bind(node.id, 'input');

const lowerConv: Lowering<'conv'> = (node, ctx) => {
  const op = node.op;
  const src = inputOf(node, ctx);
  const inChannels = channelsOf(src);
  const bn = ctx.foldedBn(node);
  const w = ctx.weights;
  const kernelDims = [op.filters, inChannels / op.groups, op.kernel, op.kernel];
  const inputs = [ctx.tensor(src.id)];
  const kernel = () => w.tensor(node, 'kernel', kernelDims);
  const convBias = () => (op.bias ? w.tensor(node, 'bias', [op.filters]) : undefined);
  if (bn) {
    // The folded kernel and bias are computed from the same tensors --keep-bn would write.
    const eps = (bn.op as Extract<PrimOp, { kind: 'batchnorm' }>).eps;
    const scale = () => bnScale(batchNormOf(w, bn, op.filters), eps);
    inputs.push(
      ctx.initializer({ name: onnxInitializerName(node, 'kernel'), dims: kernelDims, role: 'param', values: () => foldKernel(kernel(), scale()) }),
      ctx.initializer({ name: onnxInitializerName(node, 'bias'), dims: [op.filters], role: 'param', values: () => foldBias(convBias(), batchNormOf(w, bn, op.filters), scale()) }),
    );
  } else {
    inputs.push(ctx.initializer({ name: onnxInitializerName(node, 'kernel'), dims: kernelDims, role: 'param', values: kernel }));
    if (op.bias) inputs.push(ctx.initializer({ name: onnxInitializerName(node, 'bias'), dims: [op.filters], role: 'param', values: () => convBias()! }));
  }
  const out = ctx.outputName(bn ?? node);
  ctx.node(
    {
      opType: 'Conv',
      name: node.name,
      input: inputs,
      output: [out],
      attribute: [
        int('group', op.groups),
        ints('kernel_shape', [op.kernel, op.kernel]),
        ...windowPadAttributes(ctx.graph, node, ctx.dynamicSize),
        ints('strides', [op.stride, op.stride]),
        ints('dilations', [1, 1]),
      ],
    },
    { [out]: dimsOf(node, ctx) },
  );
  ctx.bind(node.id, out);
  if (bn) ctx.bind(bn.id, out);
};

const lowerBatchNorm: Lowering<'batchnorm'> = (node, ctx) => {
  const src = inputOf(node, ctx);
  if (src.op.kind === 'conv' && ctx.foldedBn(src) === node) return; // already bound by the conv
  const c = channelsOf(node);
  const bn = (role: 'gamma' | 'beta' | 'mean' | 'variance') => () => ctx.weights.tensor(node, role, [c]);
  const out = ctx.outputName(node);
  ctx.node(
    {
      opType: 'BatchNormalization',
      name: node.name,
      input: [
        ctx.tensor(src.id),
        ctx.initializer({ name: onnxInitializerName(node, 'gamma'), dims: [c], role: 'param', values: bn('gamma') }),
        ctx.initializer({ name: onnxInitializerName(node, 'beta'), dims: [c], role: 'param', values: bn('beta') }),
        ctx.initializer({ name: onnxInitializerName(node, 'mean'), dims: [c], role: 'stat', values: bn('mean') }),
        ctx.initializer({ name: onnxInitializerName(node, 'variance'), dims: [c], role: 'stat', values: bn('variance') }),
      ],
      output: [out],
      attribute: [float('epsilon', node.op.eps), float('momentum', node.op.momentum)],
    },
    { [out]: dimsOf(node, ctx) },
  );
  ctx.bind(node.id, out);
};

/** Shared scalars for Clip (relu6): from opset 11 the bounds are inputs, not attributes. */
const scalar = (name: string, value: number): Initializer => ({ name, dims: [], role: 'constant', values: () => Float32Array.of(value) });

/** PyTorch's hard sigmoid relu6(x + 3) / 6; ONNX's HardSigmoid defaults (0.2, 0.5) are TF.js's, not this. */
const hardSigmoidAttrs = () => [float('alpha', 1 / 6), float('beta', 0.5)];

const lowerActivation: Lowering<'activation'> = (node, ctx) => {
  const x = ctx.tensor(inputOf(node, ctx).id);
  const fn = node.op.fn;
  if (fn === 'none') return ctx.bind(node.id, x);
  const out = ctx.outputName(node);
  const dims = dimsOf(node, ctx);
  const single = (opType: string, input: string[], attribute: AttributeProto[] = []) =>
    ctx.node({ opType, name: node.name, input, output: [out], attribute }, { [out]: dims });
  // x * g(x) as two nodes: Swish exists only from opset 24, HardSwish from 14.
  const gated = (gateOp: string, attribute: AttributeProto[]) => {
    const gate = `${node.name}/${gateOp === 'Sigmoid' ? 'sigmoid' : 'hard_sigmoid'}`;
    ctx.node({ opType: gateOp, name: gate, input: [x], output: [gate], attribute }, { [gate]: dims });
    single('Mul', [x, gate]);
  };
  switch (fn) {
    case 'relu':
      single('Relu', [x]);
      break;
    case 'relu6':
      single('Clip', [x, ctx.initializer(scalar('relu6/min', 0)), ctx.initializer(scalar('relu6/max', 6))]);
      break;
    case 'sigmoid':
      single('Sigmoid', [x]);
      break;
    case 'swish':
      gated('Sigmoid', []);
      break;
    case 'hard_sigmoid':
      single('HardSigmoid', [x], hardSigmoidAttrs());
      break;
    case 'hard_swish':
      if (ctx.opset >= 14) single('HardSwish', [x]);
      else gated('HardSigmoid', hardSigmoidAttrs());
      break;
    case 'gelu': {
      // The exact (erf) GELU: x * (1 + erf(x / sqrt 2)) / 2. ONNX has a Gelu op only from opset 20.
      if (ctx.opset >= 20) {
        single('Gelu', [x]);
        break;
      }
      const t = (suffix: string) => `${node.name}/${suffix}`;
      ctx.node({ opType: 'Div', name: t('scaled'), input: [x, ctx.initializer(scalar('gelu/sqrt2', Math.SQRT2))], output: [t('scaled')] }, { [t('scaled')]: dims });
      ctx.node({ opType: 'Erf', name: t('erf'), input: [t('scaled')], output: [t('erf')] }, { [t('erf')]: dims });
      ctx.node({ opType: 'Add', name: t('erf_plus_one'), input: [t('erf'), ctx.initializer(scalar('gelu/one', 1))], output: [t('erf_plus_one')] }, { [t('erf_plus_one')]: dims });
      ctx.node({ opType: 'Mul', name: t('gated'), input: [x, t('erf_plus_one')], output: [t('gated')] }, { [t('gated')]: dims });
      single('Mul', [t('gated'), ctx.initializer(scalar('gelu/half', 0.5))]);
      break;
    }
    default: {
      const never: never = fn;
      throw new OnnxExportError(`activation ${String(never)} has no ONNX mapping`);
    }
  }
  ctx.bind(node.id, out);
};

const binary = <K extends 'add' | 'multiply'>(opType: 'Add' | 'Mul'): Lowering<K> => (node, ctx) => {
  const out = ctx.outputName(node);
  // Mul broadcasts the SE gate [N, C, 1, 1] over [N, C, H, W] (numpy-style, opset 7+).
  ctx.node({ opType, name: node.name, input: node.inputs.map((i) => ctx.tensor(i)), output: [out] }, { [out]: dimsOf(node, ctx) });
  ctx.bind(node.id, out);
};

const lowerGlobalPool: Lowering<'global_pool'> = (node, ctx) => {
  const x = ctx.tensor(inputOf(node, ctx).id);
  const out = ctx.outputName(node);
  const c = channelsOf(node);
  if (node.op.keepDims) {
    ctx.node({ opType: 'GlobalAveragePool', name: node.name, input: [x], output: [out] }, { [out]: [ctx.batch, c, 1, 1] });
  } else {
    // GlobalAveragePool keeps [N, C, 1, 1]; Flatten makes the classifier's [N, C], as torchvision's export does.
    const pooled = `${node.name}/pooled`;
    ctx.node({ opType: 'GlobalAveragePool', name: pooled, input: [x], output: [pooled] }, { [pooled]: [ctx.batch, c, 1, 1] });
    ctx.node({ opType: 'Flatten', name: node.name, input: [pooled], output: [out], attribute: [int('axis', 1)] }, { [out]: [ctx.batch, c] });
  }
  ctx.bind(node.id, out);
};

const lowerPool: Lowering<'pool'> = (node, ctx) => {
  const op = node.op;
  const out = ctx.outputName(node);
  const attribute = [ints('kernel_shape', [op.kernel, op.kernel]), ...windowPadAttributes(ctx.graph, node, ctx.dynamicSize), ints('strides', [op.stride, op.stride])];
  // Average pooling ignores the zero padding (TF 'same' semantics): count_include_pad = 0, ONNX's default.
  if (op.mode === 'avg') attribute.push(int('count_include_pad', 0));
  ctx.node({ opType: op.mode === 'max' ? 'MaxPool' : 'AveragePool', name: node.name, input: [ctx.tensor(inputOf(node, ctx).id)], output: [out], attribute }, { [out]: dimsOf(node, ctx) });
  ctx.bind(node.id, out);
};

const lowerDense: Lowering<'dense'> = (node, ctx) => {
  const src = inputOf(node, ctx);
  if (src.shape.length !== 1) {
    const why = `dense layers on a [${src.shape.join(', ')}] feature map are not supported; pool or flatten first`;
    throw new OnnxExportError(`${node.name}: ${why}`, node, why);
  }
  const inputs = src.shape[0]!;
  const units = node.op.units;
  const w = ctx.weights;
  const input = [ctx.tensor(src.id), ctx.initializer({ name: onnxInitializerName(node, 'kernel'), dims: [units, inputs], role: 'param', values: () => w.tensor(node, 'kernel', [units, inputs]) })];
  if (node.op.bias) input.push(ctx.initializer({ name: onnxInitializerName(node, 'bias'), dims: [units], role: 'param', values: () => w.tensor(node, 'bias', [units]) }));
  const out = ctx.outputName(node);
  // Weights are [units, inputs] (torch Linear's layout), hence transB.
  ctx.node({ opType: 'Gemm', name: node.name, input, output: [out], attribute: [int('transB', 1)] }, { [out]: dimsOf(node, ctx) });
  ctx.bind(node.id, out);
};

/** [C] parameters broadcast over [N, C, H, W]: shaped [C, 1, 1] for a feature map, [C] for a vector. */
const perChannelDims = (node: GraphNode) => (node.shape.length === 3 ? [channelsOf(node), 1, 1] : [channelsOf(node)]);

const lowerLayerNorm: Lowering<'layernorm'> = (node, ctx) => {
  if (ctx.opset < 17) {
    const why = `layer norm needs ONNX opset 17 or later (LayerNormalization); compile with --opset 17`;
    throw new OnnxExportError(`${node.name}: ${why}`, node, why);
  }
  const x = ctx.tensor(inputOf(node, ctx).id);
  const c = channelsOf(node);
  const out = ctx.outputName(node);
  const scale = ctx.initializer({ name: onnxInitializerName(node, 'gamma'), dims: [c], role: 'param', values: () => ctx.weights.tensor(node, 'gamma', [c]) });
  const shift = ctx.initializer({ name: onnxInitializerName(node, 'beta'), dims: [c], role: 'param', values: () => ctx.weights.tensor(node, 'beta', [c]) });
  const attribute = [int('axis', -1), float('epsilon', node.op.eps)];
  if (node.shape.length === 1) {
    ctx.node({ opType: 'LayerNormalization', name: node.name, input: [x, scale, shift], output: [out], attribute }, { [out]: dimsOf(node, ctx) });
  } else {
    // LayerNormalization normalises the trailing axes: move the channels last, normalise, move them back.
    const [h, w] = node.shape as [number, number, number];
    const t = (s: string) => `${node.name}/${s}`;
    ctx.node({ opType: 'Transpose', name: t('to_nhwc'), input: [x], output: [t('nhwc')], attribute: [ints('perm', [0, 2, 3, 1])] }, { [t('nhwc')]: [ctx.batch, h, w, c] });
    ctx.node({ opType: 'LayerNormalization', name: t('normalized'), input: [t('nhwc'), scale, shift], output: [t('normalized')], attribute }, { [t('normalized')]: [ctx.batch, h, w, c] });
    ctx.node({ opType: 'Transpose', name: node.name, input: [t('normalized')], output: [out], attribute: [ints('perm', [0, 3, 1, 2])] }, { [out]: dimsOf(node, ctx) });
  }
  ctx.bind(node.id, out);
};

const lowerScale: Lowering<'scale'> = (node, ctx) => {
  const c = channelsOf(node);
  const out = ctx.outputName(node);
  const scale = ctx.initializer({ name: onnxInitializerName(node, 'scale'), dims: perChannelDims(node), role: 'param', values: () => ctx.weights.tensor(node, 'scale', [c]) });
  ctx.node({ opType: 'Mul', name: node.name, input: [ctx.tensor(inputOf(node, ctx).id), scale], output: [out] }, { [out]: dimsOf(node, ctx) });
  ctx.bind(node.id, out);
};

const lowerConcat: Lowering<'concat'> = (node, ctx) => {
  const out = ctx.outputName(node);
  ctx.node({ opType: 'Concat', name: node.name, input: node.inputs.map((i) => ctx.tensor(i)), output: [out], attribute: [int('axis', 1)] }, { [out]: dimsOf(node, ctx) });
  ctx.bind(node.id, out);
};

const lowerSlice: Lowering<'slice'> = (node, ctx) => {
  const out = ctx.outputName(node);
  const { start, size } = node.op;
  const starts = ctx.initializer(int64Constant(`${node.name}/starts`, [start]));
  const ends = ctx.initializer(int64Constant(`${node.name}/ends`, [start + size]));
  const axes = ctx.initializer(int64Constant('axes_channels', [1]));
  ctx.node({ opType: 'Slice', name: node.name, input: [ctx.tensor(inputOf(node, ctx).id), starts, ends, axes], output: [out] }, { [out]: dimsOf(node, ctx) });
  ctx.bind(node.id, out);
};

/** ShuffleNet's channel shuffle as its reference writes it: reshape to [N, g, C / g, H, W], swap the two, flatten back. */
const lowerShuffle: Lowering<'shuffle'> = (node, ctx) => {
  const [h, w, c] = node.shape as [number, number, number];
  const g = node.op.groups;
  const out = ctx.outputName(node);
  const t = (s: string) => `${node.name}/${s}`;
  // 0 in a Reshape shape copies that dimension: the batch stays symbolic.
  const split = ctx.initializer(int64Constant(`${node.name}/grouped_shape`, [0, g, c / g, h, w]));
  const merged = ctx.initializer(int64Constant(`${node.name}/shape`, [0, c, h, w]));
  ctx.node({ opType: 'Reshape', name: t('grouped'), input: [ctx.tensor(inputOf(node, ctx).id), split], output: [t('grouped')] }, { [t('grouped')]: [ctx.batch, g, c / g, h, w] });
  ctx.node({ opType: 'Transpose', name: t('swapped'), input: [t('grouped')], output: [t('swapped')], attribute: [ints('perm', [0, 2, 1, 3, 4])] }, { [t('swapped')]: [ctx.batch, c / g, g, h, w] });
  ctx.node({ opType: 'Reshape', name: node.name, input: [t('swapped'), merged], output: [out] }, { [out]: dimsOf(node, ctx) });
  ctx.bind(node.id, out);
};

/** Dropout and drop-connect only act in training: the node passes its input through. */
const lowerDropout: Lowering<'dropout'> = (node, ctx) => ctx.bind(node.id, ctx.tensor(inputOf(node, ctx).id));

const lowerings: { readonly [K in PrimOp['kind']]: Lowering<K> } = {
  input: lowerInput,
  conv: lowerConv,
  batchnorm: lowerBatchNorm,
  activation: lowerActivation,
  add: binary('Add'),
  multiply: binary('Mul'),
  global_pool: lowerGlobalPool,
  pool: lowerPool,
  dense: lowerDense,
  dropout: lowerDropout,
  layernorm: lowerLayerNorm,
  scale: lowerScale,
  concat: lowerConcat,
  slice: lowerSlice,
  shuffle: lowerShuffle,
};

export function lowerNode(node: GraphNode, ctx: LoweringContext): void {
  (lowerings[node.op.kind] as Lowering<PrimOp['kind']>)(node as never, ctx);
}
