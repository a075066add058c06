/**
 * Folding an inference-time batch norm into the convolution before it, as torch.onnx.export does in eval
 * mode: BN(conv(x, W) + b) = conv(x, W * s) + (b - mean) * s + beta, with s = gamma / sqrt(var + eps) per
 * output channel. The folded conv always gets a bias.
 */
import type { BatchNormTensors } from '../weights.js';

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
