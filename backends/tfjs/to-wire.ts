/**
 * The only converter from shaped-graph nodes to Keras layer configs and TF-layout weight tensors. Everything
 * TF.js-specific about the network (padding modes, layouts, how an activation is spelled) is decided here, so
 * the topology and the weights can never disagree.
 *
 * Layer names are the graph's names; helper layers this backend adds get a suffix (`_pad`, `_reshape`, ...)
 * made unique against every name in the graph.
 */
import { windowAxis } from '../../src/passes/conv-arithmetic.js';
import type { Graph, GraphNode, Pads } from '../../src/ir/graph.js';
import { BackendError, type BackendNote, type CommonEmitOptions } from '../backend.js';
import { bnScale, consumersOf, foldableBatchNorms, foldBias, foldKernel } from '../fold-bn.js';
import { paddingRule, sizeIndependent, type PaddingRule } from '../padding-rule.js';
import { weightSource } from '../seeded-weights.js';
import { batchNormOf } from '../weight-source.js';
import { tfjsWeightName } from '../../src/weights/naming/effnet-names.js';
import type { InboundRef, KerasLayer, Padding2D } from './keras-format.js';
import { refuseDynamicSameConv } from './wasm-same-conv.js';

/** A weight tensor in TF layout, produced on demand so a large model is never held in memory at once. */
export interface WireWeight {
  /** `<layer>/<variable>`, as tfjs-layers names layer variables. */
  readonly name: string;
  readonly shape: readonly number[];
  /** False for BN moving statistics (and the fixed constants of hard activations). */
  readonly trainable: boolean;
  /** 'int32' for a graph model's index constants (a Mean's axes, a Pad's paddings); float32 otherwise. */
  readonly dtype?: 'int32';
  data(): Float32Array | Int32Array;
}

export interface WireModel {
  readonly layers: readonly KerasLayer[];
  readonly inputLayer: string;
  readonly outputLayer: string;
  readonly weights: readonly WireWeight[];
  /** Layers written in another form than the graph's, with what that costs (a grouped conv as a dense one). */
  readonly notes: readonly BackendNote[];
}

/** The graph uses something TF.js layers cannot express exactly; the message names the node and why. */
export class TfjsExportError extends BackendError {
  override readonly name = 'TfjsExportError';
  constructor(node: GraphNode, why: string) {
    super(`TF.js backend: ${node.name}: ${why}`, node, why);
  }
}

/** TF "SAME" padding for one axis, which TF.js applies for padding 'same': the compiler's own 'same' rule. */
export function samePads(size: number, kernel: number, stride: number): [number, number] {
  const { before, after } = windowAxis(size, kernel, stride, 'same');
  return [before, after];
}

type PadMode = { padding: 'same' | 'valid'; explicit?: Padding2D };

/**
 * 'valid' when there is no padding, 'same' when TF.js would pad exactly as the graph says, else explicit.
 * 'valid' is tried first: where 'same' also pads nothing (1 < kernel < stride, the size divisible by the
 * stride), tfjs-backend-wasm 4.22's 'same' conv outputs zeros, while 'valid' is right on every backend.
 *
 * A model that takes any size (`dynamic`) writes 'same' where TF 'same' pads depend on the size, so Keras
 * computes them per size, and explicit pads everywhere else: at stride 1 'same' pads the same at every size,
 * but at stride 2 a symmetric (1, 1) that equals 'same' on an odd size would not on an even one.
 */
function padMode(p: Pads, inShape: readonly number[], kernel: number, stride: number, dynamic?: { node: GraphNode; rule: PaddingRule; conv: boolean }): PadMode {
  if (dynamic && !sizeIndependent(dynamic.rule, kernel, stride)) {
    if (dynamic.conv) refuseDynamicSameConv(dynamic.node, kernel, stride);
    return { padding: 'same' };
  }
  if (p.top === 0 && p.bottom === 0 && p.left === 0 && p.right === 0) return { padding: 'valid' };
  const [t, b] = samePads(inShape[0]!, kernel, stride);
  const [l, r] = samePads(inShape[1]!, kernel, stride);
  if (p.top === t && p.bottom === b && p.left === l && p.right === r && (!dynamic || stride === 1)) return { padding: 'same' };
  return { padding: 'valid', explicit: [[p.top, p.bottom], [p.left, p.right]] };
}

/** Activations whose output is never negative: zero padding before a max pool is then exact. */
const nonNegative = new Set(['relu', 'relu6', 'sigmoid', 'hard_sigmoid']);

const ref = (layer: string): InboundRef => [layer, 0, 0, {}];

/** Transposes an ONNX conv kernel [out, in, k, k] to Conv2D's [k, k, in, out]. */
export function convToTf(w: Float32Array, out: number, inC: number, k: number): Float32Array {
  const t = new Float32Array(w.length);
  for (let o = 0; o < out; o++)
    for (let i = 0; i < inC; i++)
      for (let y = 0; y < k; y++)
        for (let x = 0; x < k; x++) t[((y * k + x) * inC + i) * out + o] = w[((o * inC + i) * k + y) * k + x]!;
  return t;
}

/** ONNX depthwise [C * m, 1, k, k] (output c*m + j reads channel c) to DepthwiseConv2D's [k, k, C, m]. */
export function depthwiseToTf(w: Float32Array, channels: number, mult: number, k: number): Float32Array {
  const t = new Float32Array(w.length);
  for (let c = 0; c < channels; c++)
    for (let j = 0; j < mult; j++)
      for (let y = 0; y < k; y++)
        for (let x = 0; x < k; x++) t[((y * k + x) * channels + c) * mult + j] = w[((c * mult + j) * k + y) * k + x]!;
  return t;
}

/**
 * A grouped kernel [out, in / groups, k, k] as the dense [out, in, k, k] that computes the same: each output
 * channel's weights at its group's inputs, zeros elsewhere.
 */
export function blockDiagonal(w: Float32Array, out: number, inC: number, groups: number, k: number): Float32Array {
  const perGroupIn = inC / groups;
  const perGroupOut = out / groups;
  const dense = new Float32Array(out * inC * k * k);
  for (let o = 0; o < out; o++) {
    const g = Math.floor(o / perGroupOut);
    for (let i = 0; i < perGroupIn; i++)
      for (let y = 0; y < k * k; y++) dense[(o * inC + g * perGroupIn + i) * k * k + y] = w[(o * perGroupIn + i) * k * k + y]!;
  }
  return dense;
}

/** ONNX dense [units, inputs] to Dense's [inputs, units]. */
export function denseToTf(w: Float32Array, units: number, inputs: number): Float32Array {
  const t = new Float32Array(w.length);
  for (let u = 0; u < units; u++) for (let i = 0; i < inputs; i++) t[i * units + u] = w[u * inputs + i]!;
  return t;
}

export interface WireOptions extends CommonEmitOptions {
  /**
   * Inference-only export: fold each BatchNormalization into the convolution before it (kernel scaled per
   * output channel, bias added) and fuse a following relu / relu6 / sigmoid into the Conv2D's `activation`,
   * which TF.js runs as one FusedConv2D kernel. Off by default: a folded model still runs, but no longer
   * trains like the spec (no BN layers, moving statistics gone), and its parameter total differs from the report.
   */
  readonly foldBatchNorm?: boolean;
  /**
   * Any input size: the input is [null, null, null, C] and 'same' windows whose pads depend on the size are
   * written 'same' (Keras computes them per size); everything else pads as at the spec's size.
   */
  readonly dynamicSize?: boolean;
}

/** Activations TF.js fuses into its conv kernels (tfjs-core fused_util: relu, relu6, sigmoid, ...; not swish). */
const fusable = new Set(['relu', 'relu6', 'sigmoid']);

export function toWire(graph: Graph, options: WireOptions): WireModel {
  const source = weightSource(options);
  const layers: KerasLayer[] = [];
  const weights: WireWeight[] = [];
  const taken = new Set(graph.nodes.map((n) => n.name));
  /** The Keras layer whose output is each graph node's value. */
  const outputOf = new Map<number, string>();

  const fresh = (base: string): string => {
    let name = base;
    for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
    taken.add(name);
    return name;
  };
  const layer = (className: string, name: string, config: Record<string, unknown>, inputs: readonly string[]): string => {
    layers.push({ class_name: className, name, config: { name, trainable: true, ...config }, inbound_nodes: inputs.length ? [inputs.map(ref)] : [] });
    return name;
  };
  const channelsOf = (shape: readonly number[]): number => shape[shape.length - 1]!;
  const notes: BackendNote[] = [];
  /** Each input's [C, H, W] view, made once for all the slices (a split's parts) that read it. */
  const channelsFirst = new Map<number, string>();

  // Folding plan: the shared one (conv -> its only consumer, a BN), plus a fusable activation when it is the
  // BN's only consumer: TF.js runs conv, bias and activation as one FusedConv2D kernel.
  const consumers = consumersOf(graph);
  /** conv id -> the BN folded into it, and the activation fused after it (if any). */
  const folds = new Map<number, { bn: GraphNode; act?: GraphNode }>();
  /** Nodes whose value is their conv's output (folded BNs, fused activations). */
  const absorbed = new Map<number, number>();
  if (options.foldBatchNorm) {
    for (const [convId, bn] of foldableBatchNorms(graph)) {
      const next = consumers.get(bn.id);
      const after = next?.length === 1 && bn.id !== graph.output ? graph.nodes[next[0]!] : undefined;
      const act = after?.op.kind === 'activation' && fusable.has(after.op.fn) ? after : undefined;
      folds.set(convId, act ? { bn, act } : { bn });
      absorbed.set(bn.id, convId);
      if (act) absorbed.set(act.id, convId);
    }
  }

  /** Emits an activation as layers reading `x`; returns the last layer's name. */
  const activation = (node: GraphNode, name: string, fn: string, x: string): string => {
    switch (fn) {
      case 'none':
        return layer('Activation', name, { activation: 'linear' }, [x]);
      case 'relu':
      case 'sigmoid':
      case 'swish':
      case 'gelu':
        // tfjs-layers' 'gelu' is the exact erf form (activations.ts, Gelu), as PyTorch's nn.GELU().
        return layer('Activation', name, { activation: fn }, [x]);
      case 'relu6':
        // ReLU(max_value=6) is the Keras spelling; TF.js reads it natively.
        return layer('ReLU', name, { max_value: 6 }, [x]);
      case 'hard_sigmoid': {
        // relu6(x + 3) / 6 = clip(x / 6 + 0.5, 0, 1). TF.js's own 'hardSigmoid' is 0.2x + 0.5: a different function.
        const scaled = layer('Rescaling', fresh(`${name}_affine`), { scale: 1 / 6, offset: 0.5 }, [x]);
        return layer('ReLU', name, { max_value: 1 }, [scaled]);
      }
      case 'hard_swish': {
        const scaled = layer('Rescaling', fresh(`${name}_affine`), { scale: 1 / 6, offset: 0.5 }, [x]);
        const gate = layer('ReLU', fresh(`${name}_gate`), { max_value: 1 }, [scaled]);
        return layer('Multiply', name, {}, [x, gate]);
      }
      default:
        throw new TfjsExportError(node, `activation '${fn}' has no TF.js layer`);
    }
  };

  for (const node of graph.nodes) {
    const op = node.op;
    const into = absorbed.get(node.id);
    if (into !== undefined) {
      outputOf.set(node.id, outputOf.get(into)!);
      continue;
    }
    const inputs = node.inputs.map((i) => outputOf.get(i)!);
    const inShape = node.inputs.length ? graph.nodes[node.inputs[0]!]!.shape : [];
    const x = inputs[0]!;
    let out: string;
    switch (op.kind) {
      case 'input':
        out = layer('InputLayer', node.name, { batch_input_shape: [null, ...(options.dynamicSize ? [null, null, node.shape[2]!] : node.shape)], dtype: 'float32', sparse: false }, []);
        // InputLayer's config has no 'trainable' in what tfjs writes; harmless either way, but keep it faithful.
        delete (layers[layers.length - 1]!.config as Record<string, unknown>).trainable;
        break;
      case 'conv': {
        const inC = channelsOf(inShape);
        const { filters, kernel: k, stride, groups } = op;
        const pad = padMode(op.pads, inShape, k, stride, options.dynamicSize ? { node, rule: paddingRule(graph, node), conv: true } : undefined);
        let src = x;
        if (pad.explicit) src = layer('ZeroPadding2D', fresh(`${node.name}_pad`), { padding: pad.explicit, data_format: 'channels_last' }, [x]);
        const common = {
          kernel_size: [k, k],
          strides: [stride, stride],
          padding: pad.padding,
          data_format: 'channels_last',
          dilation_rate: [1, 1],
          activation: 'linear',
          use_bias: op.bias,
        };
        const fold = folds.get(node.id);
        const bnOf = () => batchNormOf(source, fold!.bn, filters);
        const scale = () => bnScale(bnOf(), (fold!.bn.op as { eps: number }).eps);
        const convBias = () => (op.bias ? source.tensor(node, 'bias', [filters]) : undefined);
        // Folded on the shared [out, in / groups, k, k] kernel, before the TF layout: the ONNX backend's numbers.
        const canonical = () => source.tensor(node, 'kernel', [filters, inC / groups, k, k]);
        const kernelOnnx = () => (fold ? foldKernel(canonical(), scale()) : canonical());
        if (fold) {
          common.use_bias = true;
          if (fold.act) common.activation = (fold.act.op as { fn: string }).fn;
        }
        if (groups === 1) {
          out = layer('Conv2D', node.name, { filters, ...common }, [src]);
          weights.push({ name: tfjsWeightName(node, 'kernel', graph), shape: [k, k, inC, filters], trainable: true, data: () => convToTf(kernelOnnx(), filters, inC, k) });
        } else if (groups === inC && filters % inC === 0) {
          const mult = filters / inC;
          out = layer('DepthwiseConv2D', node.name, { ...common, depth_multiplier: mult }, [src]);
          weights.push({ name: tfjsWeightName(node, 'kernel', graph), shape: [k, k, inC, mult], trainable: true, data: () => depthwiseToTf(kernelOnnx(), inC, mult, k) });
        } else {
          // tfjs-core's conv2d has no groups, and splitting the channels into `groups` convs would give one weight
          // per group, which no checkpoint convention reads back. A dense Conv2D with a block-diagonal kernel
          // computes the same outputs exactly (the zeros add nothing), at `groups` times the MACs of this layer.
          out = layer('Conv2D', node.name, { filters, ...common }, [src]);
          weights.push({ name: tfjsWeightName(node, 'kernel', graph), shape: [k, k, inC, filters], trainable: true, data: () => convToTf(blockDiagonal(kernelOnnx(), filters, inC, groups, k), filters, inC, k) });
          notes.push({ node, what: `a dense Conv2D whose kernel is zero outside its ${groups} groups (tfjs-core has no grouped convolution)`, cost: `the same outputs at ${groups}x this layer's MACs; training in TF.js would fill the zeros and lose the grouping` });
        }
        if (fold) {
          weights.push({ name: tfjsWeightName(node, 'bias', graph), shape: [filters], trainable: true, data: () => foldBias(convBias(), bnOf(), scale()) });
        } else if (op.bias) weights.push({ name: tfjsWeightName(node, 'bias', graph), shape: [filters], trainable: true, data: () => convBias()! });
        break;
      }
      case 'batchnorm': {
        const c = channelsOf(node.shape);
        out = layer('BatchNormalization', node.name, { axis: -1, momentum: op.momentum, epsilon: op.eps, center: true, scale: true }, [x]);
        const bn = (role: 'gamma' | 'beta' | 'mean' | 'variance') => () => source.tensor(node, role, [c]);
        weights.push(
          { name: tfjsWeightName(node, 'gamma', graph), shape: [c], trainable: true, data: bn('gamma') },
          { name: tfjsWeightName(node, 'beta', graph), shape: [c], trainable: true, data: bn('beta') },
          { name: tfjsWeightName(node, 'mean', graph), shape: [c], trainable: false, data: bn('mean') },
          { name: tfjsWeightName(node, 'variance', graph), shape: [c], trainable: false, data: bn('variance') },
        );
        break;
      }
      case 'activation':
        out = activation(node, node.name, op.fn, x);
        break;
      case 'add':
        out = layer('Add', node.name, {}, inputs);
        break;
      case 'multiply':
        // tfjs Multiply broadcasts a [1, 1, C] operand (merge.ts computeElementwiseOpOutputShape + tf.mul).
        out = layer('Multiply', node.name, {}, inputs);
        break;
      case 'global_pool': {
        if (op.keepDims) {
          // tfjs-layers 4.22 GlobalAveragePooling2D has no keepdims: pool, then Reshape to [1, 1, C] (as Keras EfficientNet).
          const pooled = layer('GlobalAveragePooling2D', node.name, { data_format: 'channels_last' }, [x]);
          out = layer('Reshape', fresh(`${node.name}_reshape`), { target_shape: [1, 1, channelsOf(node.shape)] }, [pooled]);
        } else {
          out = layer('GlobalAveragePooling2D', node.name, { data_format: 'channels_last' }, [x]);
        }
        break;
      }
      case 'pool': {
        const pad = padMode(op.pads, inShape, op.kernel, op.stride, options.dynamicSize ? { node, rule: paddingRule(graph, node), conv: false } : undefined);
        let src = x;
        if (pad.explicit) {
          // Keras pads with zeros; the graph's max pool pads with -inf and its avg pool ignores the padding.
          // Zeros are exact only for a max pool over non-negative values (ResNet's stem, after a ReLU).
          const producer = graph.nodes[node.inputs[0]!]!;
          const exact = op.mode === 'max' && producer.op.kind === 'activation' && nonNegative.has(producer.op.fn);
          if (!exact) throw new TfjsExportError(node, `${op.mode} pool with padding ${JSON.stringify(op.pads)} is not TF 'same' padding and zero padding would change its values`);
          src = layer('ZeroPadding2D', fresh(`${node.name}_pad`), { padding: pad.explicit, data_format: 'channels_last' }, [x]);
        }
        out = layer(op.mode === 'max' ? 'MaxPooling2D' : 'AveragePooling2D', node.name, {
          pool_size: [op.kernel, op.kernel],
          padding: pad.padding,
          strides: [op.stride, op.stride],
          data_format: 'channels_last',
        }, [src]);
        break;
      }
      case 'dense': {
        const inputs1 = channelsOf(inShape);
        out = layer('Dense', node.name, { units: op.units, activation: 'linear', use_bias: op.bias }, [x]);
        weights.push({ name: tfjsWeightName(node, 'kernel', graph), shape: [inputs1, op.units], trainable: true, data: () => denseToTf(source.tensor(node, 'kernel', [op.units, inputs1]), op.units, inputs1) });
        if (op.bias) weights.push({ name: tfjsWeightName(node, 'bias', graph), shape: [op.units], trainable: true, data: () => source.tensor(node, 'bias', [op.units]) });
        break;
      }
      case 'layernorm': {
        const c = channelsOf(node.shape);
        out = layer('LayerNormalization', node.name, { axis: -1, epsilon: op.eps, center: true, scale: true }, [x]);
        weights.push(
          { name: tfjsWeightName(node, 'gamma', graph), shape: [c], trainable: true, data: () => source.tensor(node, 'gamma', [c]) },
          { name: tfjsWeightName(node, 'beta', graph), shape: [c], trainable: true, data: () => source.tensor(node, 'beta', [c]) },
        );
        break;
      }
      case 'scale': {
        // A per-channel learnable scale is a 1x1 DepthwiseConv2D without bias: exact, and it trains.
        const c = channelsOf(node.shape);
        if (node.shape.length !== 3) throw new TfjsExportError(node, 'a layer scale on a flat vector has no TF.js layer');
        out = layer('DepthwiseConv2D', node.name, { kernel_size: [1, 1], strides: [1, 1], padding: 'valid', data_format: 'channels_last', dilation_rate: [1, 1], activation: 'linear', use_bias: false, depth_multiplier: 1 }, [x]);
        weights.push({ name: tfjsWeightName(node, 'scale', graph), shape: [1, 1, c, 1], trainable: true, data: () => source.tensor(node, 'scale', [c]) });
        break;
      }
      case 'concat':
        out = layer('Concatenate', node.name, { axis: -1 }, inputs);
        break;
      case 'slice': {
        // Keras layers crop only spatial axes: view the map as [C, H, W], crop the channels, view it back.
        const input = node.inputs[0]!;
        const [, , c] = inShape as [number, number, number];
        if (inShape.length !== 3) throw new TfjsExportError(node, 'a channel slice of a flat vector has no TF.js layer');
        let chw = channelsFirst.get(input);
        if (!chw) channelsFirst.set(input, (chw = layer('Permute', fresh(`${node.name}_channels_first`), { dims: [3, 1, 2] }, [x])));
        const cropped = layer('Cropping2D', fresh(`${node.name}_crop`), { cropping: [[op.start, c - op.start - op.size], [0, 0]], data_format: 'channels_last' }, [chw]);
        out = layer('Permute', node.name, { dims: [2, 3, 1] }, [cropped]);
        break;
      }
      case 'shuffle': {
        // As the reference writes it: [H, W, g, C / g], swap the last two axes, flatten back.
        const [h, w, c] = node.shape as [number, number, number];
        const g = op.groups;
        const grouped = layer('Reshape', fresh(`${node.name}_grouped`), { target_shape: [h, w, g, c / g] }, [x]);
        const swapped = layer('Permute', fresh(`${node.name}_swapped`), { dims: [1, 2, 4, 3] }, [grouped]);
        out = layer('Reshape', node.name, { target_shape: [h, w, c] }, [swapped]);
        break;
      }
      case 'dropout': {
        // Drop-connect drops whole samples of a residual branch: one mask value per sample, broadcast over H, W, C.
        const noise = op.perSample ? [null, ...node.shape.map(() => 1)] : null;
        out = layer('Dropout', node.name, { rate: op.rate, noise_shape: noise, seed: null }, [x]);
        break;
      }
    }
    outputOf.set(node.id, out);
  }
  const inputNode = graph.nodes.find((n) => n.op.kind === 'input')!;
  return { layers, inputLayer: outputOf.get(inputNode.id)!, outputLayer: outputOf.get(graph.output)!, weights, notes };
}
