/**
 * Folding an inference-time batch norm into the convolution before it, as torch.onnx.export does in eval
 * mode: BN(conv(x, W) + b) = conv(x, W * s) + (b - mean) * s + beta, with s = gamma / sqrt(var + eps) per
 * output channel. The folded conv always gets a bias. Both backends fold with these functions, on the shared
 * [out, in / groups, k, k] kernels before any layout change, so their folded weights are the same numbers.
 */
import type { Graph, GraphNode } from '../src/ir/graph.js';
import type { BatchNormTensors } from './weight-source.js';

/** The plan: conv id -> the BN that folds into it, where the BN is the conv's only consumer. */
export function foldableBatchNorms(graph: Graph): Map<number, GraphNode> {
  const folds = new Map<number, GraphNode>();
  const consumers = consumersOf(graph);
  for (const n of graph.nodes) {
    if (n.op.kind !== 'batchnorm') continue;
    const src = graph.nodes[n.inputs[0]!]!;
    if (src.op.kind === 'conv' && consumers.get(src.id)?.length === 1 && src.id !== graph.output) folds.set(src.id, n);
  }
  return folds;
}

/** Node id -> the ids of the nodes that read it. */
export function consumersOf(graph: Graph): Map<number, number[]> {
  const consumers = new Map<number, number[]>();
  for (const n of graph.nodes) for (const i of n.inputs) consumers.set(i, [...(consumers.get(i) ?? []), n.id]);
  return consumers;
}

/** Per-output-channel scale s = gamma / sqrt(var + eps), in double precision. */
export function bnScale(bn: BatchNormTensors, eps: number): Float64Array {
  const s = new Float64Array(bn.gamma.length);
  for (let c = 0; c < s.length; c++) s[c] = bn.gamma[c]! / Math.sqrt(bn.variance[c]! + eps);
  return s;
}

/** Scales a kernel laid out [out, ...] in place: every weight of output channel c is multiplied by s[c]. */
export function foldKernel(kernel: Float32Array, scale: Float64Array): Float32Array {
  const perChannel = kernel.length / scale.length;
  for (let c = 0; c < scale.length; c++) {
    const s = scale[c]!;
    const end = (c + 1) * perChannel;
    for (let i = c * perChannel; i < end; i++) kernel[i] = kernel[i]! * s;
  }
  return kernel;
}

/** The folded bias b' = (b - mean) * s + beta; b is the conv's own bias (zeros when it had none). */
export function foldBias(bias: Float32Array | undefined, bn: BatchNormTensors, scale: Float64Array): Float32Array {
  const out = new Float32Array(scale.length);
  for (let c = 0; c < out.length; c++) out[c] = ((bias ? bias[c]! : 0) - bn.mean[c]!) * scale[c]! + bn.beta[c]!;
  return out;
}
