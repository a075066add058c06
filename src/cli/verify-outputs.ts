/**
 * `effnet compile --verify`: what was just written is loaded back into its runtime and run on one sample,
 * so a broken file is caught at export rather than in production. Each output must give the shape the
 * compiler inferred with finite values; when ONNX and TF.js were both written, their logits must agree, the
 * proof that both files hold the same network.
 */
import { sampleInput } from '../../backends/sample-input.js';
import { onnxRunner, tfjsRunner } from './model-runners.js';

export interface VerifiedOutput {
  readonly target: string;
  readonly runtime: string;
  readonly outputShape: readonly number[];
  readonly finite: boolean;
}

export interface Verification {
  readonly ok: boolean;
  readonly outputs: readonly VerifiedOutput[];
  /** max |a - b| over max |b| between the first two outputs' logits, when there are two. */
  readonly relativeDifference?: number;
  readonly tolerance: number;
  readonly problems: readonly string[];
}

/** Two runtimes' float32 kernels differ in summation order; 1e-3 of the largest logit is far above that. */
export const AGREEMENT_TOLERANCE = 1e-3;

export async function verifyOutputs(outputs: readonly { target: string; path: string }[], expectedShape: readonly number[], seed: number): Promise<Verification> {
  const problems: string[] = [];
  const verified: VerifiedOutput[] = [];
  const logits: Float32Array[] = [];
  for (const { target, path } of outputs) {
    const runner = target === 'onnx' ? await onnxRunner(path, 'auto') : await tfjsRunner(path, 'auto');
    try {
      const [h, w, c] = runner.inputShape;
      const out = await runner.predict(sampleInput(h * w * c, seed));
      const perSample = out.data.length / (out.shape[0] ?? 1);
      const first = out.data.slice(0, perSample);
      const finite = first.every(Number.isFinite);
      verified.push({ target, runtime: runner.runtime, outputShape: out.shape, finite });
      if (out.shape.slice(1).join('x') !== expectedShape.join('x')) problems.push(`${target}: output shape [${out.shape.join(', ')}], expected [N, ${expectedShape.join(', ')}]`);
      if (!finite) problems.push(`${target}: the output holds NaN or infinite values`);
      logits.push(first);
    } finally {
      await runner.dispose();
    }
  }
  let relativeDifference: number | undefined;
  if (logits.length >= 2 && logits[0]!.length === logits[1]!.length) {
    const [a, b] = [logits[0]!, logits[1]!];
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < b.length; i++) {
      diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
      scale = Math.max(scale, Math.abs(b[i]!));
    }
    relativeDifference = scale > 0 ? diff / scale : diff;
    if (!(relativeDifference <= AGREEMENT_TOLERANCE)) problems.push(`${outputs[0]!.target} and ${outputs[1]!.target} disagree: logits differ by ${relativeDifference.toExponential(2)} of the largest (tolerance ${AGREEMENT_TOLERANCE})`);
  }
  return { ok: problems.length === 0, outputs: verified, ...(relativeDifference !== undefined ? { relativeDifference } : {}), tolerance: AGREEMENT_TOLERANCE, problems };
}
