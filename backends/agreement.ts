/**
 * When two runtimes compute "the same" output: the one rule that `compile --verify` and every cross-runtime
 * test apply. float32 kernels differ in summation order and fused ops, so agreement is measured against the
 * output's magnitude: max |a - b| <= tolerance x max |reference|. CPU runtimes (onnxruntime-node, TF.js wasm
 * and cpu, PyTorch) agree to 1e-4; GPU backends (WebGL, WebGPU), with their reduced-precision shaders, to 1e-3.
 * An output whose largest value is below 1e-3 proves nothing (any two near-zero outputs agree), so it is
 * reported as not evidence, never as agreement.
 */

export type RuntimeClass = 'cpu' | 'gpu';

export const TOLERANCE: Readonly<Record<RuntimeClass, number>> = { cpu: 1e-4, gpu: 1e-3 };

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

export function compareOutputs(actual: ArrayLike<number>, reference: ArrayLike<number>, runtime: RuntimeClass = 'cpu'): Agreement {
  const tolerance = TOLERANCE[runtime];
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
      : `differ by ${relative.toExponential(2)} of the largest |value| ${scale.toPrecision(3)} (tolerance ${tolerance})`;
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
