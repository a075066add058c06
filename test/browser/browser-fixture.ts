/**
 * The network every browser test runs: EfficientNet-B0 at a small input size with random weights and random
 * (non-identity) BN statistics, emitted as a TF.js directory and as ONNX from one seed, with one input and the
 * reference logits of onnxruntime-node on the ONNX file; and the check every browser run must pass against them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { compareOutputs, type Agreement, type RuntimeClass } from '../../backends/agreement.js';
import { onnxBackend } from '../../backends/onnx/onnx-backend.js';
import { writeArtifact } from '../../src/cli/output/write-artifact.js';
import { compileEdited, emitToDir, randomInput } from '../backends/tfjs/tfjs-helpers.js';
import type { PageResult } from './browser-harness.js';
import type { BrowserRun } from './browser-pages.js';

export interface BrowserFixture {
  /** The TF.js LayersModel directory (model.json and shards). */
  readonly tfjsDir: string;
  /** The same network as a TF.js graph model (--tfjs-format graph). */
  readonly graphDir: string;
  readonly onnxPath: string;
  /** The input [1, H, W, C] for TF.js and the same values [1, C, H, W] for ONNX. */
  readonly nhwc: { readonly data: Float32Array; readonly shape: readonly number[] };
  readonly nchw: { readonly data: Float32Array; readonly shape: readonly number[] };
  /** onnxruntime-node's logits on the ONNX file: what every browser runtime is compared with. */
  readonly reference: Float32Array;
  /** Deletes the files. */
  readonly remove: () => void;
}

/** NHWC to NCHW for one sample. */
function toNchw(x: Float32Array, [h, w, c]: readonly number[]): Float32Array {
  const out = new Float32Array(x.length);
  for (let y = 0; y < h!; y++) for (let i = 0; i < w!; i++) for (let k = 0; k < c!; k++) out[(k * h! + y) * w! + i] = x[(y * w! + i) * c! + k]!;
  return out;
}

export async function browserFixture(inputSize = 64, seed = 77): Promise<BrowserFixture> {
  const c = compileEdited('efficientnet-b0.effnet', { scaling: { inputSize } });
  const { dir: tfjsDir } = emitToDir(c, 'browser', { seed, randomBatchNorm: true });
  const { dir: graphDir } = emitToDir(c, 'browser-graph', { seed, randomBatchNorm: true, tfjsFormat: 'graph' });
  const onnxDir = mkdtempSync(path.join(tmpdir(), 'effnet-browser-onnx-'));
  const onnxPath = path.join(onnxDir, 'model.onnx');
  await writeArtifact(onnxBackend.emit(c.graph, { seed, weights: 'random', randomBatchNorm: true }), onnxPath);

  const [h, w, ch] = c.graph.nodes[0]!.shape as [number, number, number];
  const input = randomInput([h, w, ch], 5);
  const nchw = { data: toNchw(input, [h, w, ch]), shape: [1, ch, h, w] };
  const session = await ort.InferenceSession.create(onnxPath);
  try {
    const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', nchw.data, nchw.shape) });
    const reference = Float32Array.from(out[session.outputNames[0]!]!.data as Float32Array);
    return {
      tfjsDir,
      graphDir,
      onnxPath,
      nhwc: { data: input, shape: [1, h, w, ch] },
      nchw,
      reference,
      remove: () => { for (const d of [tfjsDir, graphDir, onnxDir]) rmSync(d, { recursive: true, force: true }); },
    };
  } finally {
    await session.release();
  }
}

/**
 * The agreement rule (backends/agreement.ts) between a browser's logits and the reference, after checking the
 * page ran where it says and the logits are large enough to be evidence. Logs the figures and the device.
 */
export function expectAgreement(run: PageResult<BrowserRun>, f: BrowserFixture, runtime: string, runtimeClass: RuntimeClass): Agreement {
  expect(run.error, run.error).toBeUndefined();
  expect(run.runtime).toBe(runtime);
  expect(run.shape).toEqual([1, f.reference.length]);
  const a = compareOutputs(run.logits!, f.reference, runtimeClass);
  console.log([
    `browser ${runtime} on ${run.device} (${JSON.stringify(run.notes)}): vs onnxruntime-node, max abs ${a.maxAbsDifference.toExponential(2)}, ${a.summary}`,
    ...run.log.map((l) => `  page: ${l}`),
  ].join('\n'));
  // Random BN statistics and a [-1, 1) input keep the logits of order 1: a comparison of near-zero outputs proves nothing.
  expect(a.evidence, a.summary).toBe(true);
  expect(a.scale).toBeGreaterThan(0.1);
  expect(a.ok, a.summary).toBe(true);
  return a;
}
