/**
 * `effnet compile --verify`: what was just written is loaded back into its runtime and run on one sample,
 * so a broken file is caught at export rather than in production. Each output must give the shape the
 * compiler inferred with finite values; when ONNX and TF.js were both written, their outputs must agree by
 * the one agreement rule (backends/agreement.ts), compared in one layout (an ONNX feature map is NCHW,
 * TF.js's NHWC). Before anything is loaded, the memory one run needs is estimated and a run that cannot fit
 * is refused.
 */
import { freemem, totalmem } from 'node:os';
import { compareOutputs, nchwToNhwc, type Agreement } from '../../backends/agreement.js';
import { sampleInput } from '../../backends/sample-input.js';
import type { Graph } from '../ir/graph.js';
import { estimateRunMemory } from '../report/memory.js';
import { UsageError } from './io.js';
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
  /** How the first two outputs compare, when there are two. */
  readonly agreement?: Agreement;
  readonly problems: readonly string[];
  /** Said, not failed: outputs too small for their agreement to be evidence. */
  readonly notes: readonly string[];
}

/** The TF.js wasm backend's heap is a 32-bit wasm memory: a model must fit in far less than 4 GiB. */
const WASM_HEAP_BYTES = 2 * 1024 ** 3;

const gb = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(2)} GiB`;

/** Refuses --verify for a model whose one run would not fit (the README's tiny spec at 8000x8000 needs 20 GB). */
export function checkVerifyMemory(graph: Graph, targets: readonly string[]): void {
  const m = estimateRunMemory(graph);
  const budget = Math.min(targets.includes('tfjs') ? WASM_HEAP_BYTES : Infinity, Math.max(freemem(), totalmem() / 2));
  if (m.totalBytes <= budget) return;
  const where = targets.includes('tfjs') && WASM_HEAP_BYTES < totalmem() / 2 ? 'the TF.js wasm backend can use at most 2 GiB' : `this machine has ${gb(Math.max(freemem(), totalmem() / 2))} to spare`;
  throw new UsageError(`--verify would need about ${gb(m.totalBytes)} to run this model once (activations ${gb(m.activationBytes)}, convolution workspace ${gb(m.workspaceBytes)}, weights ${gb(m.weightBytes)}), and ${where}; verify at a smaller --input-size, or leave out --verify`);
}

export async function verifyOutputs(outputs: readonly { target: string; path: string }[], expectedShape: readonly number[], seed: number): Promise<Verification> {
  const problems: string[] = [];
  const notes: string[] = [];
  const verified: VerifiedOutput[] = [];
  /** Each output's first sample, channels last. */
  const samples: Float32Array[] = [];
  for (const { target, path } of outputs) {
    const runner = target === 'onnx' ? await onnxRunner(path, 'auto') : await tfjsRunner(path, 'auto');
    try {
      const [h, w, c] = runner.inputShape;
      const out = await runner.predict(sampleInput(h * w * c, seed));
      const perSample = out.data.length / (out.shape[0] ?? 1);
      let first: Float32Array = out.data.slice(0, perSample);
      const channelsFirst = runner.modelInput.layout === 'NCHW' && out.shape.length === 4;
      if (channelsFirst) first = nchwToNhwc(first, [1, ...out.shape.slice(1)]);
      const finite = first.every(Number.isFinite);
      verified.push({ target, runtime: runner.runtime, outputShape: out.shape, finite });
      // The compiler's shape is per sample and channels last: ONNX's [N, C, H, W] is [H, W, C] to it.
      const perSampleShape = channelsFirst ? [out.shape[2]!, out.shape[3]!, out.shape[1]!] : out.shape.slice(1);
      if (perSampleShape.join('x') !== expectedShape.join('x')) problems.push(`${target}: output shape [${out.shape.join(', ')}] does not hold [${expectedShape.join(', ')}] per sample`);
      if (!finite) problems.push(`${target}: the output holds NaN or infinite values`);
      samples.push(first);
    } finally {
      await runner.dispose();
    }
  }
  let agreement: Agreement | undefined;
  if (samples.length >= 2) {
    agreement = compareOutputs(samples[0]!, samples[1]!, 'cpu');
    const names = `${outputs[0]!.target} and ${outputs[1]!.target}`;
    if (!agreement.evidence) notes.push(`${names} were not compared: ${agreement.summary}`);
    else if (!agreement.ok) problems.push(`${names} disagree: outputs ${agreement.summary}`);
  }
  return { ok: problems.length === 0, outputs: verified, ...(agreement ? { agreement } : {}), problems, notes };
}
