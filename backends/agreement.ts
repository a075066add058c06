/**
 * When two runtimes compute "the same" output: the one rule that `compile --verify` and every cross-runtime
 * test apply. float32 kernels differ in summation order and fused ops, so agreement is measured against the
 * output's magnitude: max |a - b| <= tolerance x max |reference|. CPU runtimes (onnxruntime-node, TF.js wasm
 * and cpu, PyTorch) agree to 1e-4; GPU backends (WebGL, WebGPU), with their reduced-precision shaders, to 1e-3.
 * An output whose largest value is below 1e-3 proves nothing (any two near-zero outputs agree), so it is
 * reported as not evidence, never as agreement.
 *
 * Quantized weights (--quantize) change the network itself, so a quantized model is compared with a float32
 * one at the tolerance of its weights' storage instead: about three times the largest difference measured
 * (README, "Quantized weights"; a trained classifier and seven random-weight ImageNet networks, BN kept and
 * folded). float16 rounds each weight to 2^-11 of itself; uint16 and uint8 to half a level of the tensor's
 * range split in 65,535 or 255, so a layer whose channels differ widely in scale loses more. A model that mixes
 * storages takes the coarsest one's tolerance.
 */

export type RuntimeClass = 'cpu' | 'gpu';

export const TOLERANCE: Readonly<Record<RuntimeClass, number>> = { cpu: 1e-4, gpu: 1e-3 };

/** How weights are stored: float32, or one of the quantized forms, finest first. */
export type WeightStorage = 'float32' | 'uint16' | 'float16' | 'uint8';

export const WEIGHT_TOLERANCE: Readonly<Record<Exclude<WeightStorage, 'float32'>, number>> = { uint16: 5e-3, float16: 5e-2, uint8: 0.3 };

/** The coarser of two storages (uint8 over float16 over uint16 over float32). */
export function coarser(a: WeightStorage, b: WeightStorage): WeightStorage {
  const order: readonly WeightStorage[] = ['float32', 'uint16', 'float16', 'uint8'];
  return order.indexOf(a) >= order.indexOf(b) ? a : b;
}

/** Below this, an output is too small for agreement to mean anything. */
export const EVIDENCE_FLOOR = 1e-3;

export interface Agreement {
  /** Agreed within tolerance, on an output large enough to be evidence. */
  readonly ok: boolean;
  /** The output was large enough to compare (max |reference| >= EVIDENCE_FLOOR). */
  readonly evidence: boolean;
  readonly maxAbsDifference: number;
  /** max |reference|. */
  readonly scale: number;
  /** maxAbsDifference / scale. */
  readonly relative: number;
  readonly tolerance: number;
  /** One line for people: "differ by 3.1e-6 of the largest |value| 4.2 (tolerance 1e-4)". */
  readonly summary: string;
}

/**
 * `weights` is the coarsest storage of the two models' weights: with quantized weights the tolerance is the
 * storage's (WEIGHT_TOLERANCE), since the two do not hold quite the same network.
 */
export function compareOutputs(actual: ArrayLike<number>, reference: ArrayLike<number>, runtime: RuntimeClass = 'cpu', weights: WeightStorage = 'float32'): Agreement {
  const tolerance = weights === 'float32' ? TOLERANCE[runtime] : Math.max(TOLERANCE[runtime], WEIGHT_TOLERANCE[weights]);
  const why = weights === 'float32' ? '' : ` for ${weights} weights`;
  if (actual.length !== reference.length) {
    return { ok: false, evidence: false, maxAbsDifference: Infinity, scale: 0, relative: Infinity, tolerance, summary: `different sizes: ${actual.length} and ${reference.length} values` };
  }
  let diff = 0;
  let scale = 0;
  let finite = true;
  for (let i = 0; i < reference.length; i++) {
    const a = actual[i]!;
    const b = reference[i]!;
    if (!Number.isFinite(a) || !Number.isFinite(b)) finite = false;
    diff = Math.max(diff, Math.abs(a - b));
    scale = Math.max(scale, Math.abs(b));
  }
  const relative = scale > 0 ? diff / scale : diff;
  const evidence = finite && scale >= EVIDENCE_FLOOR;
  const ok = evidence && relative <= tolerance;
  const summary = !finite
    ? 'an output holds NaN or infinite values'
    : !evidence
      ? `the largest |value| is ${scale.toExponential(1)}, below ${EVIDENCE_FLOOR}: too small for agreement to show anything`
      : `differ by ${relative.toExponential(2)} of the largest |value| ${scale.toPrecision(3)} (tolerance ${tolerance}${why})`;
  return { ok, evidence, maxAbsDifference: diff, scale, relative, tolerance, summary };
}

/** An NCHW tensor [N, C, H, W] as NHWC, so an ONNX feature map compares with TF.js's layout. */
export function nchwToNhwc(data: ArrayLike<number>, shape: readonly number[]): Float32Array {
  const [n, c, h, w] = shape as [number, number, number, number];
  const out = new Float32Array(n * c * h * w);
  for (let b = 0; b < n; b++)
    for (let k = 0; k < c; k++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) out[((b * h + y) * w + x) * c + k] = data[((b * c + k) * h + y) * w + x]!;
  return out;
}
