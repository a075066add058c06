/**
 * `effnet compile --verify`: what was just written is loaded back into its runtime and run on one sample,
 * so a broken file is caught at export rather than in production. Each output must give the shape the
 * compiler inferred with finite values; when several targets were written, each must agree with the first
 * by the one agreement rule (backends/agreement.ts), compared in one layout (ONNX and PyTorch feature maps
 * are NCHW, TF.js's NHWC). Before anything is written, the memory one run needs is estimated and a run that
 * cannot fit is refused, and so is a target whose runtime is missing (PyTorch without a Python that imports
 * torch): --verify never skips a target quietly.
 *
 * A model with quantized weights (--quantize) holds a slightly different network: it is compared at its
 * storage's tolerance (backends/agreement.ts), against the other targets, or, written alone, against the same
 * target's float32 model built in memory (never written), so that --verify says what the quantization costs.
 */
import { freemem, totalmem } from 'node:os';
import { coarser, compareOutputs, nchwToNhwc, type Agreement, type WeightStorage } from '../../backends/agreement.js';
import { sampleInput } from '../../backends/sample-input.js';
import type { Graph } from '../ir/graph.js';
import { estimateRunMemory } from '../report/memory.js';
import { UsageError } from './io.js';
import { onnxRunner, pytorchRunner, pytorchUnavailable, tfjsRunner, type Kind, type Runner } from './model-runners.js';
import { recordedWeights, type RecordedWeights } from './recorded-weights.js';

export interface VerifiedOutput {
  readonly target: string;
  readonly runtime: string;
  readonly outputShape: readonly number[];
  readonly finite: boolean;
  /** How the model stores its weights: "float32", "uint8 (all 140 weights), dequantized to float32 at load". */
  readonly weights: string;
}

/** The float32 model a quantized target is compared with, built in memory. */
export interface VerifyReference {
  /** Shown where a target name is: "tfjs (float32, in memory)". */
  readonly label: string;
  runner(): Promise<Runner>;
}

/** One target's output against the first target's. */
export interface Comparison {
  readonly targets: readonly [string, string];
  readonly agreement: Agreement;
}

export interface Verification {
  readonly ok: boolean;
  readonly outputs: readonly VerifiedOutput[];
  /** Every later output against the first, when there are several. */
  readonly comparisons: readonly Comparison[];
  /** The comparison furthest from agreement (the largest relative difference; one without evidence first). */
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

/** Refuses --verify for a target whose runtime is not here, before anything is written. */
export function checkVerifyRuntimes(targets: readonly string[]): void {
  if (!targets.includes('pytorch')) return;
  const why = pytorchUnavailable();
  if (why) throw new UsageError(`--verify runs the PyTorch module in torch${targets.length > 1 ? ' (--target all includes pytorch)' : ''}, and ${why}; or leave out --verify`);
}

function runnerFor(target: string, path: string): Promise<Runner> {
  if (target === 'onnx') return onnxRunner(path, 'auto');
  if (target === 'tfjs') return tfjsRunner(path, 'auto');
  if (target === 'pytorch') return pytorchRunner(path);
  throw new Error(`internal: no runner for target ${target}`);
}

export async function verifyOutputs(outputs: readonly { target: string; path: string }[], expectedShape: readonly number[], seed: number, reference?: VerifyReference): Promise<Verification> {
  const problems: string[] = [];
  const notes: string[] = [];
  const verified: VerifiedOutput[] = [];
  /** Each output's first sample, channels last; the reference's first. */
  const samples: { target: string; data: Float32Array; weights: WeightStorage }[] = [];
  const runs = [
    ...(reference ? [{ target: reference.label, open: () => reference.runner(), weights: { storage: 'float32', description: 'float32' } as RecordedWeights, written: false }] : []),
    ...outputs.map(({ target, path }) => ({ target, open: () => runnerFor(target, path), weights: target === 'pytorch' ? ({ storage: 'float32', description: 'float32' } as RecordedWeights) : recordedWeights(target as Kind, path), written: true })),
  ];
  for (const { target, open, weights, written } of runs) {
    const runner = await open();
    try {
      const [h, w, c] = runner.inputShape;
      let out;
      try {
        out = await runner.predict(sampleInput(h * w * c, seed));
      } catch (e) {
        // The file loaded but does not run: a verification failure, not a usage error.
        problems.push(`${target}: could not run on ${runner.runtime}: ${(e as Error).message.split('\n')[0]}`);
        continue;
      }
      const perSample = out.data.length / (out.shape[0] ?? 1);
      let first: Float32Array = out.data.slice(0, perSample);
      const channelsFirst = runner.modelInput.layout === 'NCHW' && out.shape.length === 4;
      if (channelsFirst) first = nchwToNhwc(first, [1, ...out.shape.slice(1)]);
      const finite = first.every(Number.isFinite);
      if (written) verified.push({ target, runtime: runner.runtime, outputShape: out.shape, finite, weights: weights.description });
      // The compiler's shape is per sample and channels last: ONNX's [N, C, H, W] is [H, W, C] to it.
      const perSampleShape = channelsFirst ? [out.shape[2]!, out.shape[3]!, out.shape[1]!] : out.shape.slice(1);
      if (perSampleShape.join('x') !== expectedShape.join('x')) problems.push(`${target}: output shape [${out.shape.join(', ')}] does not hold [${expectedShape.join(', ')}] per sample`);
      if (!finite) problems.push(`${target}: the output holds NaN or infinite values`);
      samples.push({ target, data: first, weights: weights.storage });
    } finally {
      await runner.dispose();
    }
  }
  const comparisons: Comparison[] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = compareOutputs(samples[i]!.data, samples[0]!.data, 'cpu', coarser(samples[i]!.weights, samples[0]!.weights));
    const targets = [samples[0]!.target, samples[i]!.target] as const;
    comparisons.push({ targets, agreement: a });
    const names = `${targets[0]} and ${targets[1]}`;
    if (!a.evidence) notes.push(`${names} were not compared: ${a.summary}`);
    else if (!a.ok) problems.push(`${names} disagree: outputs ${a.summary}`);
  }
  const worst = [...comparisons].sort((x, y) => Number(x.agreement.evidence) - Number(y.agreement.evidence) || y.agreement.relative - x.agreement.relative)[0];
  return { ok: problems.length === 0, outputs: verified, comparisons, ...(worst ? { agreement: worst.agreement } : {}), problems, notes };
}
