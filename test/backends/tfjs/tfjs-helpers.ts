/** Helpers for the TF.js backend tests: emit a spec into a temporary directory, read weights back. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { nchwToNhwc } from '../../../backends/agreement.js';
import type { Artifact } from '../../../backends/backend.js';
import { loadTfjsModel } from '../../../backends/tfjs/runtime/load-model.js';
import { sampleInput } from '../../../backends/sample-input.js';
import { emitTfjs, type TfjsEmitOptions } from '../../../backends/tfjs/tfjs-backend.js';
import type { Compilation } from '../../../src/pipeline.js';
import { compile } from '../../../src/pipeline.js';
import { readFileSync } from 'node:fs';
import { specPath } from '../../helpers.js';

/** A small spec TF.js trains and reads back in seconds: 16x16 inputs, 5 classes, SE in both stages. */
export const SMALL_SPEC = `model small {
  input       16x16x3
  classes     5
  activation  swish
  stem conv channels 8 kernel 3 stride 2
  stages {
    mbconv  1  8   3  1  expand 1 se 0.25
    mbconv  2  16  3  2  expand 4 se 0.25
  }
  head conv channels 32 kernel 1
  classifier dropout 0.2
}
`;

/** Writes an artifact's files under dir (tests only; the CLI writes atomically). */
export function writeArtifact(artifact: Artifact, dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const f of artifact.files) {
    const chunks = [...f.chunks()];
    writeFileSync(path.join(dir, f.path), Buffer.concat(chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength))));
  }
  return dir;
}

export const tempDir = (tag: string) => mkdtempSync(path.join(tmpdir(), `effnet-tfjs-${tag}-`));

/** Compiles specs/<file> with text edits (e.g. fewer classes) and scaling; throws on diagnostics errors. */
export function compileEdited(file: string, options: Parameters<typeof compile>[2], edit: (t: string) => string = (t) => t): Compilation & { graph: NonNullable<Compilation['graph']>; report: NonNullable<Compilation['report']> } {
  const c = compile(`specs/${file}`, edit(readFileSync(specPath(file), 'utf8')), options);
  if (!c.graph || !c.report) throw new Error(`${file}: ${c.diagnostics.map((d) => `${d.code} ${d.message}`).join('; ')}`);
  return c as never;
}

export function emitToDir(c: { graph: NonNullable<Compilation['graph']> }, tag: string, options: Partial<TfjsEmitOptions> = {}): { dir: string; artifact: Artifact } {
  const artifact = emitTfjs(c.graph, { seed: 7, weights: 'random', ...options });
  return { dir: writeArtifact(artifact, tempDir(tag)), artifact };
}

/** Deterministic pseudo-random input in [-1, 1) of an NHWC shape, the same for every runtime. */
export function randomInput(shape: readonly number[], seed = 1): Float32Array {
  return sampleInput(shape.reduce((a, b) => a * b, 1), seed);
}

/** max |a - b| and that over max |b|: the relative error used by the cross-runtime checks. */
export function compare(a: ArrayLike<number>, b: ArrayLike<number>): { maxAbs: number; rel: number } {
  let maxAbs = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return { maxAbs, rel: maxAbs / (scale || 1) };
}

/** NHWC [H, W, C] to NCHW [C, H, W] for one sample. */
export function toNchw(x: Float32Array, [h, w, c]: readonly number[]): Float32Array {
  const out = new Float32Array(x.length);
  for (let y = 0; y < h!; y++) for (let i = 0; i < w!; i++) for (let k = 0; k < c!; k++) out[(k * h! + y) * w! + i] = x[(y * w! + i) * c! + k]!;
  return out;
}

/** An ONNX file's output for one NHWC sample, channels last (as TF.js gives it), by onnxruntime-node. */
export async function onnxOutput(file: string, input: Float32Array, shape: readonly number[]): Promise<Float32Array> {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(file);
  try {
    const [h, w, c] = shape as [number, number, number];
    const out = (await session.run({ input: new ort.Tensor('float32', toNchw(input, shape), [1, c, h, w]) }))[session.outputNames[0]!]!;
    const data = out.data as Float32Array;
    return out.dims.length === 4 ? nchwToNhwc(data, out.dims as number[]) : data;
  } finally {
    await session.release();
  }
}

/** A TF.js directory's output (LayersModel or graph model, as its model.json says) for one sample, on the current backend. */
export async function tfjsOutput(dir: string, input: Float32Array, shape: readonly number[]): Promise<Float32Array> {
  const tf = await import('@tensorflow/tfjs');
  const model = await loadTfjsModel(tf, dir);
  const x = tf.tensor(input, [1, ...shape]);
  const y = model.predict(x);
  const out = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  model.dispose();
  return out;
}
