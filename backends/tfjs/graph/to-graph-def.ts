/**
 * The only converter from the shaped graph to a TF.js graph model's GraphDef: one NodeDef per op TF.js's
 * graph executor runs, in the form tfjs-converter writes for an inference graph, and the weight tensors its
 * Const nodes name. An inference export: every batch norm that follows a convolution is folded into it (the
 * shared fold-bn.ts, so the numbers are the ONNX file's), and the ops TF.js fuses are written fused:
 *
 *   conv + bias + relu / relu6 / sigmoid   → _FusedConv2D or FusedDepthwiseConv2dNative (fused_ops BiasAdd, Act)
 *   dense + bias (+ act)                   → _FusedMatMul
 *   swish                                  → Sigmoid, Mul (tfjs-backend-wasm fuses no swish)
 *   global average pool                    → AvgPool over the whole map (Mean transposes on wasm: 10x slower);
 *                                            Mean when the size is dynamic
 *   padding                                → VALID or EXPLICIT on the conv itself, never a separate Pad; 'SAME'
 *                                            only where the size is dynamic
 *
 * What the executor cannot run as the graph means (a grouped convolution, an op this file does not know) is
 * refused with the node and the reason, never approximated.
 */
import type { Graph, GraphNode } from '../../../src/ir/graph.js';
import { tfjsWeightName } from '../../../src/weights/naming/effnet-names.js';
import type { BackendNote, CommonEmitOptions } from '../../backend.js';
import { bnScale, consumersOf, foldableBatchNorms, foldBias, foldKernel } from '../../fold-bn.js';
import { weightSource } from '../../seeded-weights.js';
import { batchNormOf } from '../../weight-source.js';
import { blockDiagonal, convToTf, denseToTf, depthwiseToTf, TfjsExportError, type WireWeight } from '../to-wire.js';
import { attr, type AttrValueJson, type NodeDefJson } from './graph-model-format.js';
import { windowPadding, type WindowPadding } from './window-padding.js';

export interface GraphDefOptions extends CommonEmitOptions {
  /** Height and width unknown (-1): 'same' windows pad per size at run time, global pools are Mean. */
  readonly dynamicSize?: boolean;
}

export interface GraphDefModel {
  readonly nodes: readonly NodeDefJson[];
  readonly weights: readonly WireWeight[];
  /** The Placeholder's name and shape (-1 for unknown dimensions). */
  readonly input: { readonly name: string; readonly shape: readonly number[] };
  /** The node whose output 0 is the model's output, and that output's shape. */
  readonly output: { readonly name: string; readonly shape: readonly number[] };
  /** Batch norms folded into convolutions. */
  readonly foldedBatchNorms: number;
  /** What a layer costs in this format beyond the spec's figures (grouped convs written dense). */
  readonly notes: readonly BackendNote[];
}

/** Activations the fused conv and matmul kernels of every TF.js backend apply (tfjs-core fused_util). */
const fusedActivation: Readonly<Record<string, string>> = { relu: 'Relu', relu6: 'Relu6', sigmoid: 'Sigmoid' };

/** Activations whose output is never negative: zero padding before a max pool is then exact. */
const nonNegative = new Set(['relu', 'relu6', 'sigmoid', 'hard_sigmoid']);

const FLOAT = attr.type('DT_FLOAT');

/** The attrs a window op's padding takes: VALID, SAME, or EXPLICIT with the pads in NHWC order. */
function paddingAttrs(p: WindowPadding): Record<string, AttrValueJson> {
  if (p.kind !== 'explicit') return { padding: attr.string(p.kind === 'same' ? 'SAME' : 'VALID') };
  const { top, bottom, left, right } = p.pads;
  return { padding: attr.string('EXPLICIT'), explicit_paddings: attr.ints([0, 0, top, bottom, left, right, 0, 0]) };
}

export function toGraphDef(graph: Graph, options: GraphDefOptions): GraphDefModel {
  const source = weightSource(options);
  const dynamic = options.dynamicSize === true;
  const nodes: NodeDefJson[] = [];
  const weights: WireWeight[] = [];
  const notes: BackendNote[] = [];
  const consts = new Set<string>();
  /** The tensor (node name) holding each graph node's value. */
  const valueOf = new Map<number, string>();
  const consumers = consumersOf(graph);
  const folds = foldableBatchNorms(graph);

  // Helper nodes are named `<graph node>/<what>`: graph names never contain '/', so they cannot collide.
  const op = (name: string, opName: string, input: readonly string[], attrs: Record<string, AttrValueJson> = {}): string => {
    nodes.push({ name, op: opName, input: [...input], attr: attrs });
    return name;
  };
  const constant = (w: WireWeight): string => {
    if (consts.has(w.name)) return w.name;
    consts.add(w.name);
    weights.push(w);
    nodes.push({ name: w.name, op: 'Const', attr: { dtype: attr.type(w.dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT'), value: attr.tensor(w.dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT', w.shape) } });
    return w.name;
  };
  /** A shared scalar (3, 1/6, ...): one Const per value in the whole graph. */
  const scalar = (label: string, value: number): string => constant({ name: `effnet_const/${label}`, shape: [], trainable: false, data: () => Float32Array.of(value) });
  const int32s = (name: string, values: readonly number[], shape: readonly number[]): string => constant({ name, shape, trainable: false, dtype: 'int32', data: () => Int32Array.from(values) });

  /** The activation that consumes `value` and nothing else, when the fused kernels can apply it. */
  const fusableAfter = (value: GraphNode): GraphNode | undefined => {
    const next = consumers.get(value.id);
    if (next?.length !== 1 || value.id === graph.output) return undefined;
    const after = graph.nodes[next[0]!]!;
    return after.op.kind === 'activation' && fusedActivation[after.op.fn] ? after : undefined;
  };
  /** Nodes whose value is an earlier node's fused output (a folded BN, a fused activation). */
  const absorbed = new Map<number, string>();

  /** The activation `fn` applied to tensor x, as the node named `name`. */
  const activation = (node: GraphNode, name: string, fn: string, x: string): string => {
    switch (fn) {
      case 'none':
        return x;
      case 'relu':
        return op(name, 'Relu', [x], { T: FLOAT });
      case 'relu6':
        return op(name, 'Relu6', [x], { T: FLOAT });
      case 'sigmoid':
        return op(name, 'Sigmoid', [x], { T: FLOAT });
      case 'swish':
        return op(name, 'Mul', [x, op(`${name}/sigmoid`, 'Sigmoid', [x], { T: FLOAT })], { T: FLOAT });
      case 'hard_sigmoid':
        // relu6(x + 3) / 6, PyTorch's definition (TF.js's own hardSigmoid is 0.2x + 0.5: another function).
        return op(name, 'Mul', [op(`${name}/relu6`, 'Relu6', [op(`${name}/shift`, 'AddV2', [x, scalar('3', 3)], { T: FLOAT })], { T: FLOAT }), scalar('1_6', 1 / 6)], { T: FLOAT });
      case 'hard_swish':
        return op(name, 'Mul', [x, activation(node, `${name}/gate`, 'hard_sigmoid', x)], { T: FLOAT });
      case 'gelu':
        // The exact form, 0.5 x (1 + erf(x / sqrt 2)), as PyTorch's default and the other backends.
        return op(name, 'Mul', [op(`${name}/half_x`, 'Mul', [x, scalar('0_5', 0.5)], { T: FLOAT }), op(`${name}/erf_plus_one`, 'AddV2', [op(`${name}/erf`, 'Erf', [op(`${name}/scaled`, 'Mul', [x, scalar('1_sqrt2', Math.SQRT1_2)], { T: FLOAT })], { T: FLOAT }), scalar('1', 1)], { T: FLOAT })], { T: FLOAT });
      default:
        throw new TfjsExportError(node, `activation '${fn}' has no TF.js graph-model op`);
    }
  };

  for (const node of graph.nodes) {
    const into = absorbed.get(node.id);
    if (into !== undefined) {
      valueOf.set(node.id, into);
      continue;
    }
    const x = valueOf.get(node.inputs[0]!)!;
    const inShape = node.inputs.length ? graph.nodes[node.inputs[0]!]!.shape : [];
    const o = node.op;
    let out: string;
    switch (o.kind) {
      case 'input':
        out = op('input', 'Placeholder', [], { dtype: FLOAT, shape: attr.shape([null, ...(dynamic ? [null, null] : node.shape.slice(0, 2)), node.shape[2]!]) });
        break;
      case 'conv': {
        const inC = inShape[2]!;
        const { filters, kernel: k, stride, groups } = o;
        const depthwise = groups === inC && groups > 1 && filters % inC === 0;
        // TF.js has no grouped convolution: a dense conv whose kernel is zero outside the groups computes the same.
        const grouped = groups !== 1 && !depthwise;
        if (grouped) notes.push({ node, what: `a dense Conv2D whose kernel is zero outside its ${groups} groups (TF.js has no grouped convolution)`, cost: `the same outputs at ${groups}x this layer's MACs` });
        const bn = folds.get(node.id);
        const valueNode = bn ?? node;
        const act = fusableAfter(valueNode);
        const canonical = () => source.tensor(node, 'kernel', [filters, inC / groups, k, k]);
        const scale = () => bnScale(batchNormOf(source, bn!, filters), (bn!.op as { eps: number }).eps);
        const folded = () => (bn ? foldKernel(canonical(), scale()) : canonical());
        const kernelOnnx = () => (grouped ? blockDiagonal(folded(), filters, inC, groups, k) : folded());
        const mult = filters / inC;
        const kernel = constant(
          depthwise
            ? { name: tfjsWeightName(node, 'kernel', graph), shape: [k, k, inC, mult], trainable: true, data: () => depthwiseToTf(kernelOnnx(), inC, mult, k) }
            : { name: tfjsWeightName(node, 'kernel', graph), shape: [k, k, inC, filters], trainable: true, data: () => convToTf(kernelOnnx(), filters, inC, k) },
        );
        const convBias = () => (o.bias ? source.tensor(node, 'bias', [filters]) : undefined);
        const hasBias = o.bias || bn !== undefined;
        const common: Record<string, AttrValueJson> = {
          T: FLOAT,
          strides: attr.ints([1, stride, stride, 1]),
          dilations: attr.ints([1, 1, 1, 1]),
          data_format: attr.string('NHWC'),
          ...paddingAttrs(windowPadding(graph, node, dynamic)),
        };
        // The conv's node is the BN's and the activation's value once they are fused into it.
        const name = node.name;
        if (hasBias) {
          const bias = constant({ name: tfjsWeightName(node, 'bias', graph), shape: [filters], trainable: true, data: () => (bn ? foldBias(convBias(), batchNormOf(source, bn, filters), scale()) : convBias()!) });
          const fused = act ? ['BiasAdd', fusedActivation[(act.op as { fn: string }).fn]!] : ['BiasAdd'];
          out = op(name, depthwise ? 'FusedDepthwiseConv2dNative' : '_FusedConv2D', [x, kernel, bias], { ...common, fused_ops: attr.strings(fused), num_args: attr.int(1) });
          if (act) absorbed.set(act.id, out);
        } else {
          out = op(name, depthwise ? 'DepthwiseConv2dNative' : 'Conv2D', [x, kernel], common);
        }
        if (bn) absorbed.set(bn.id, out);
        break;
      }
      case 'batchnorm': {
        // Not after a foldable conv: y = x * s + (beta - mean * s), the inference batch norm as two cheap ops.
        const c = node.shape[node.shape.length - 1]!;
        const s = () => bnScale(batchNormOf(source, node, c), o.eps);
        const scale = constant({ name: `${node.name}/scale`, shape: [c], trainable: true, data: () => Float32Array.from(s()) });
        const offset = constant({ name: `${node.name}/offset`, shape: [c], trainable: true, data: () => foldBias(undefined, batchNormOf(source, node, c), s()) });
        out = op(node.name, 'AddV2', [op(`${node.name}/scaled`, 'Mul', [x, scale], { T: FLOAT }), offset], { T: FLOAT });
        break;
      }
      case 'activation':
        out = activation(node, node.name, o.fn, x);
        break;
      case 'layernorm': {
        // Over the channels at every position: (x - mean) / sqrt(var + eps) * gamma + beta, from TF's primitives.
        const c = node.shape[node.shape.length - 1]!;
        const axis = int32s(`${node.name}/axis`, [-1], [1]);
        const meanOf = (name: string, v: string) => op(name, 'Mean', [v, axis], { T: FLOAT, Tidx: attr.type('DT_INT32'), keep_dims: attr.bool(true) });
        const centred = op(`${node.name}/centred`, 'Sub', [x, meanOf(`${node.name}/mean`, x)], { T: FLOAT });
        const variance = meanOf(`${node.name}/variance`, op(`${node.name}/squared`, 'Square', [centred], { T: FLOAT }));
        const eps = constant({ name: `${node.name}/epsilon`, shape: [], trainable: false, data: () => Float32Array.of(o.eps) });
        const inverse = op(`${node.name}/rsqrt`, 'Rsqrt', [op(`${node.name}/variance_eps`, 'AddV2', [variance, eps], { T: FLOAT })], { T: FLOAT });
        const gamma = constant({ name: `${node.name}/gamma`, shape: [c], trainable: true, data: () => source.tensor(node, 'gamma', [c]) });
        const beta = constant({ name: `${node.name}/beta`, shape: [c], trainable: true, data: () => source.tensor(node, 'beta', [c]) });
        const normalized = op(`${node.name}/normalized`, 'Mul', [centred, inverse], { T: FLOAT });
        out = op(node.name, 'AddV2', [op(`${node.name}/scaled`, 'Mul', [normalized, gamma], { T: FLOAT }), beta], { T: FLOAT });
        break;
      }
      case 'scale': {
        const c = node.shape[node.shape.length - 1]!;
        out = op(node.name, 'Mul', [x, constant({ name: `${node.name}/scale`, shape: [c], trainable: true, data: () => source.tensor(node, 'scale', [c]) })], { T: FLOAT });
        break;
      }
      case 'concat': {
        const inputs = node.inputs.map((i) => valueOf.get(i)!);
        out = op(node.name, 'ConcatV2', [...inputs, int32s(`${node.name}/axis`, [-1], [])], { T: FLOAT, N: attr.int(inputs.length), Tidx: attr.type('DT_INT32') });
        break;
      }
      case 'slice':
        // The channels [start, start + size) at every position; -1 keeps the whole batch, height and width.
        out = op(node.name, 'Slice', [x, int32s(`${node.name}/begin`, [0, 0, 0, o.start], [4]), int32s(`${node.name}/size`, [-1, -1, -1, o.size], [4])], { T: FLOAT, Index: attr.type('DT_INT32') });
        break;
      case 'shuffle': {
        // Positions flattened, channels as [groups, C / groups], swapped, and back to the input's own shape: no
        // height or width is named, so it holds at any input size.
        const c = node.shape[node.shape.length - 1]!;
        const grouped = op(`${node.name}/grouped`, 'Reshape', [x, int32s(`${node.name}/groups_shape`, [-1, o.groups, c / o.groups], [3])], { T: FLOAT, Tshape: attr.type('DT_INT32') });
        const swapped = op(`${node.name}/swapped`, 'Transpose', [grouped, int32s(`${node.name}/perm`, [0, 2, 1], [3])], { T: FLOAT, Tperm: attr.type('DT_INT32') });
        const shape = op(`${node.name}/shape`, 'Shape', [x], { T: FLOAT, out_type: attr.type('DT_INT32') });
        out = op(node.name, 'Reshape', [swapped, shape], { T: FLOAT, Tshape: attr.type('DT_INT32') });
        break;
      }
      case 'add':
        out = op(node.name, 'AddV2', node.inputs.map((i) => valueOf.get(i)!), { T: FLOAT });
        break;
      case 'multiply':
        // Broadcasts the squeeze-excitation gate [N, 1, 1, C] over [N, H, W, C].
        out = op(node.name, 'Mul', node.inputs.map((i) => valueOf.get(i)!), { T: FLOAT });
        break;
      case 'global_pool': {
        const [h, w] = inShape as [number, number];
        if (dynamic) {
          out = op(node.name, 'Mean', [x, int32s(`${node.name}/axes`, [1, 2], [2])], { T: FLOAT, Tidx: attr.type('DT_INT32'), keep_dims: attr.bool(o.keepDims) });
        } else {
          const pooled = op(o.keepDims ? node.name : `${node.name}/pool`, 'AvgPool', [x], { T: FLOAT, ksize: attr.ints([1, h, w, 1]), strides: attr.ints([1, 1, 1, 1]), padding: attr.string('VALID'), data_format: attr.string('NHWC') });
          out = o.keepDims ? pooled : op(node.name, 'Squeeze', [pooled], { T: FLOAT, squeeze_dims: attr.ints([1, 2]) });
        }
        break;
      }
      case 'pool': {
        const p = windowPadding(graph, node, dynamic, { pool: true });
        let src = x;
        let padding: WindowPadding = p;
        if (p.kind === 'explicit') {
          // Pool ops take only SAME or VALID. Zero padding in front is exact only for a max pool over
          // non-negative values (ResNet's stem, after a ReLU); the graph's avg pool leaves padding out.
          const producer = graph.nodes[node.inputs[0]!]!;
          const exact = o.mode === 'max' && producer.op.kind === 'activation' && nonNegative.has(producer.op.fn);
          if (!exact) throw new TfjsExportError(node, `${o.mode} pool with padding ${JSON.stringify(o.pads)} is not TF 'same' padding and zero padding would change its values`);
          const { top, bottom, left, right } = p.pads;
          src = op(`${node.name}/pad`, 'Pad', [x, int32s(`${node.name}/paddings`, [0, 0, top, bottom, left, right, 0, 0], [4, 2])], { T: FLOAT, Tpaddings: attr.type('DT_INT32') });
          padding = { kind: 'valid' };
        }
        out = op(node.name, o.mode === 'max' ? 'MaxPool' : 'AvgPool', [src], { T: FLOAT, ksize: attr.ints([1, o.kernel, o.kernel, 1]), strides: attr.ints([1, o.stride, o.stride, 1]), data_format: attr.string('NHWC'), ...paddingAttrs(padding) });
        break;
      }
      case 'dense': {
        if (inShape.length !== 1) throw new TfjsExportError(node, `dense layers on a [${inShape.join(', ')}] feature map are not supported; pool or flatten first`);
        const inputs = inShape[0]!;
        const kernel = constant({ name: tfjsWeightName(node, 'kernel', graph), shape: [inputs, o.units], trainable: true, data: () => denseToTf(source.tensor(node, 'kernel', [o.units, inputs]), o.units, inputs) });
        const act = o.bias ? fusableAfter(node) : undefined;
        const name = node.name;
        const flags = { T: FLOAT, transpose_a: attr.bool(false), transpose_b: attr.bool(false) };
        if (o.bias) {
          const bias = constant({ name: tfjsWeightName(node, 'bias', graph), shape: [o.units], trainable: true, data: () => source.tensor(node, 'bias', [o.units]) });
          const fused = act ? ['BiasAdd', fusedActivation[(act.op as { fn: string }).fn]!] : ['BiasAdd'];
          out = op(name, '_FusedMatMul', [x, kernel, bias], { ...flags, fused_ops: attr.strings(fused), num_args: attr.int(1) });
          if (act) absorbed.set(act.id, out);
        } else {
          out = op(name, 'MatMul', [x, kernel], flags);
        }
        break;
      }
      case 'dropout':
        // Training only: no node at inference.
        out = x;
        break;
      default: {
        const unknown: { kind: string } = o;
        throw new TfjsExportError(node, `'${unknown.kind}' has no TF.js graph-model op in effnet yet; use --tfjs-format layers`);
      }
    }
    valueOf.set(node.id, out);
  }

  const output = valueOf.get(graph.output)!;
  if (output === 'input') throw new TfjsExportError(graph.nodes[graph.output]!, 'the model computes nothing: its output is its input');
  const inputShape = graph.nodes[0]!.shape;
  const outShape = graph.nodes[graph.output]!.shape;
  return {
    nodes,
    weights,
    input: { name: 'input', shape: [-1, ...(dynamic ? [-1, -1] : inputShape.slice(0, 2)), inputShape[2]!] },
    output: { name: output, shape: [-1, ...(dynamic && outShape.length === 3 ? [-1, -1, outShape[2]!] : outShape)] },
    foldedBatchNorms: folds.size,
    notes,
  };
}
