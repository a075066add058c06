/**
 * Loading a compiled model into its runtime: an ONNX file into onnxruntime-node (CPU), a TF.js directory
 * (LayersModel or graph model) into the best TF.js backend present, a PyTorch directory into torch (a Python process). Used by
 * `effnet run` and by `effnet compile --verify`. Runtimes load lazily, so commands that never run a model
 * never pay for TF.js, ORT or Python.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendChoice } from '../../backends/tfjs/runtime/select-backend.js';
import { importOptional } from '../../backends/optional-package.js';
import { WEIGHTS_FILE } from '../../backends/pytorch/pytorch-backend.js';
import { findTorchPython, runTorchArtifact } from '../../backends/pytorch/runtime/torch-python.js';
import { fileSource } from '../checkpoint/byte-source.js';
import { readSafetensors } from '../checkpoint/safetensors.js';
import { declaredOnnxSize } from './declared-onnx-size.js';
import { UsageError } from './io.js';

/** One prediction function over NHWC samples, whatever the runtime. */
export interface Runner {
  readonly runtime: string;
  /** 'onnx', 'tfjs layers-model', 'tfjs graph-model' or 'pytorch'. */
  readonly format: string;
  /** [height, width, channels] the model is fed: the size it was compiled at when it takes any size. */
  readonly inputShape: readonly [number, number, number];
  /** The model takes any height and width (compiled with --dynamic-size); inputShape is its spec's size. */
  readonly dynamicSize?: boolean;
  /** The input tensor as the model declares it for one sample: NCHW for ONNX, NHWC for TF.js. */
  readonly modelInput: { readonly shape: readonly number[]; readonly layout: 'NCHW' | 'NHWC' };
  /** The batch size the model is fixed to (an ONNX file compiled with --batch N), or undefined for any. */
  readonly fixedBatch: number | undefined;
  /**
   * Runs `count` samples (default 1) laid end to end in `nhwc`. A model with a fixed batch runs that many:
   * fewer samples are padded with copies of the first, and the output holds a row for every slot.
   */
  predict(nhwc: Float32Array, count?: number): Promise<{ shape: number[]; data: Float32Array }>;
  dispose(): Promise<void>;
}

export type Kind = 'onnx' | 'tfjs';

export function artifactKind(path: string): { kind: Kind; path: string } {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new UsageError(`cannot read ${path}: no such file or directory`);
  }
  if (st.isDirectory()) {
    try {
      statSync(join(path, 'model.json'));
    } catch {
      throw new UsageError(`${path} is a directory without model.json: not a TF.js model`);
    }
    return { kind: 'tfjs', path };
  }
  if (path.endsWith('.json')) return { kind: 'tfjs', path };
  return { kind: 'onnx', path };
}

/** An ONNX file, or (`--verify`'s float32 reference, never written) a model's bytes in memory. */
export async function onnxRunner(model: string | Uint8Array, backend: BackendChoice): Promise<Runner> {
  if (backend !== 'auto' && backend !== 'cpu') throw new UsageError(`--backend ${backend} applies to TF.js directories; ONNX files run on onnxruntime-node's CPU provider`);
  const ort = await importOptional('onnxruntime-node', 'running ONNX files', () => import('onnxruntime-node'));
  const path = typeof model === 'string' ? model : 'the in-memory model';
  let session: import('onnxruntime-node').InferenceSession;
  try {
    session = typeof model === 'string' ? await ort.InferenceSession.create(model) : await ort.InferenceSession.create(model);
  } catch (e) {
    throw new UsageError(`cannot load ${path} as ONNX: ${(e as Error).message.split('\n')[0]}`);
  }
  const meta = session.inputMetadata[0] as { name: string; shape?: (number | string)[] };
  const dims = meta.shape ?? [];
  // A file compiled with --dynamic-size has symbolic H and W: it is fed the size its spec declares.
  const dynamicSize = dims.length === 4 && typeof dims[1] === 'number' && typeof dims[2] === 'string' && typeof dims[3] === 'string';
  const declared = dynamicSize ? declaredOnnxSize(path) : undefined;
  if (dynamicSize && !declared) throw new UsageError(`${path}: its input [${dims.join(', ')}] takes any size, and its metadata (effnet.scaling) does not say the size it was compiled at`);
  if (!dynamicSize && (dims.length !== 4 || ![1, 2, 3].every((i) => typeof dims[i] === 'number'))) throw new UsageError(`${path}: expected an image input [N, C, H, W] with fixed C, H, W, got [${dims.join(', ')}]`);
  const [c, h, w] = [dims[1] as number, declared?.[0] ?? (dims[2] as number), declared?.[1] ?? (dims[3] as number)];
  // A file compiled with --batch N takes exactly N samples.
  const fixedBatch = typeof dims[0] === 'number' ? dims[0] : undefined;
  return {
    runtime: 'onnxruntime-node (CPU execution provider)',
    format: 'onnx',
    inputShape: [h, w, c],
    ...(dynamicSize ? { dynamicSize } : {}),
    modelInput: { shape: [fixedBatch ?? 1, c, h, w], layout: 'NCHW' },
    fixedBatch,
    async predict(nhwc, count = 1) {
      const size = h * w * c;
      if (nhwc.length !== size * count) throw new Error(`internal: ${nhwc.length} input values for ${count} samples of ${size}`);
      if (fixedBatch !== undefined && count > fixedBatch) throw new Error(`internal: ${count} samples for a model fixed to batches of ${fixedBatch}`);
      const batch = fixedBatch ?? count;
      // The ONNX backend is NCHW: transpose each sample.
      const nchw = new Float32Array(size * batch);
      for (let b = 0; b < count; b++) {
        const from = b * size;
        for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) nchw[from + (k * h + y) * w + x] = nhwc[from + (y * w + x) * c + k]!;
      }
      for (let b = count; b < batch; b++) nchw.copyWithin(b * size, 0, size);
      const out = await session.run({ [meta.name]: new ort.Tensor('float32', nchw, [batch, c, h, w]) });
      const t = out[session.outputNames[0]!]!;
      return { shape: t.dims.map(Number), data: t.data as Float32Array };
    },
    dispose: () => session.release(),
  };
}

/** A TF.js directory, or (`--verify`'s float32 reference, never written) a model's files in memory by name. */
export async function tfjsRunner(model: string | ReadonlyMap<string, Uint8Array>, backend: BackendChoice): Promise<Runner> {
  const path = typeof model === 'string' ? model : 'the in-memory model';
  const { selectBackend } = await import('../../backends/tfjs/runtime/select-backend.js');
  const { loadTfjsModel } = await import('../../backends/tfjs/runtime/load-model.js');
  let selected;
  try {
    selected = await selectBackend(backend);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { tf } = selected;
  // TF.js greets Node users with an install hint on stderr; effnet already says which backend runs and why.
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | undefined;
  if (cpu) cpu.firstUse = false;
  // With tfjs-node its file:// scheme would do; the handler works with every build, so use it always.
  const loaded = await loadTfjsModel(tf, typeof model === 'string' ? model : memoryArtifacts(model)).catch((e: Error) => {
    throw new UsageError(`cannot load ${path} as a TF.js model: ${e.message.split('\n')[0]}`);
  });
  const [h, w, c] = loaded.inputShape;
  const dynamicSize = h === null && w === null && c !== null;
  const declared = dynamicSize ? loaded.declaredInput : undefined;
  if (dynamicSize && !declared) throw new UsageError(`${path}: its input takes any size, and its model.json does not record the size it was compiled at (effnet.input)`);
  if (!dynamicSize && (h === null || w === null || c === null)) throw new UsageError(`${path}: expected an image input [N, H, W, C], got [N, ${loaded.inputShape.join(', ')}]`);
  const inputShape = (declared ?? [h, w, c]) as [number, number, number];
  return {
    runtime: `TF.js ${tf.version.tfjs} on ${selected.description}`,
    format: `tfjs ${loaded.format}`,
    inputShape,
    ...(dynamicSize ? { dynamicSize } : {}),
    modelInput: { shape: [1, ...inputShape], layout: 'NHWC' },
    fixedBatch: undefined,
    async predict(nhwc, count = 1) {
      const x = tf.tensor(nhwc, [count, ...inputShape]);
      const y = loaded.predict(x);
      const data = (await y.data()) as Float32Array;
      const shape = y.shape.slice();
      tf.dispose([x, y]);
      return { shape, data };
    },
    dispose: async () => {
      loaded.dispose();
    },
  };
}

/** model.json and its shards, given as bytes by file name, as one ModelArtifacts (either format). */
function memoryArtifacts(files: ReadonlyMap<string, Uint8Array>): import('@tensorflow/tfjs').io.ModelArtifacts {
  const json = JSON.parse(new TextDecoder().decode(files.get('model.json'))) as { format?: string; modelTopology: object; weightsManifest: { paths: string[]; weights: import('@tensorflow/tfjs').io.WeightsManifestEntry[] }[]; userDefinedMetadata?: Record<string, {}> };
  const shards = json.weightsManifest.flatMap((g) => g.paths.map((p) => files.get(p)!));
  const data = new Uint8Array(shards.reduce((a, b) => a + b.byteLength, 0));
  let at = 0;
  for (const b of shards) {
    data.set(b, at);
    at += b.byteLength;
  }
  return { ...(json.format ? { format: json.format } : {}), modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData: data.buffer, ...(json.userDefinedMetadata ? { userDefinedMetadata: json.userDefinedMetadata } : {}) };
}

/** Why a PyTorch directory cannot be run here (no Python with torch), or undefined when it can. */
export function pytorchUnavailable(): string | undefined {
  const found = findTorchPython();
  return found.ok ? undefined : found.why;
}

/** A PyTorch directory (model.py, model.safetensors, load.py) run by torch in a Python process, CPU, eval mode. */
export async function pytorchRunner(path: string): Promise<Runner> {
  const found = findTorchPython();
  if (!found.ok) throw new UsageError(`running PyTorch modules needs Python with torch: ${found.why}`);
  // The input shape is in the weights file's metadata: no Python start just to learn it.
  let shape: unknown;
  const src = fileSource(join(path, WEIGHTS_FILE));
  try {
    shape = JSON.parse(readSafetensors(src).metadata['effnet.input'] ?? 'null');
  } catch (e) {
    throw new UsageError(`${path}: cannot read ${WEIGHTS_FILE}: ${(e as Error).message}`);
  } finally {
    src.close();
  }
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((d) => Number.isInteger(d) && d > 0)) throw new UsageError(`${path}: ${WEIGHTS_FILE} does not say its input shape (effnet.input): not an effnet PyTorch directory`);
  const [c, h, w] = shape as [number, number, number];
  const python = found.python;
  return {
    runtime: `torch ${python.torchVersion} (${python.command}, CPU)`,
    format: 'pytorch',
    inputShape: [h, w, c],
    modelInput: { shape: [1, c, h, w], layout: 'NCHW' },
    fixedBatch: undefined,
    async predict(nhwc, count = 1) {
      const nchw = new Float32Array(nhwc.length);
      const size = c * h * w;
      for (let n = 0; n < count; n++) {
        const o = n * size;
        for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) nchw[o + (k * h + y) * w + x] = nhwc[o + (y * w + x) * c + k]!;
      }
      const out = await runTorchArtifact(python, path, nchw);
      return { shape: out.shape, data: out.data };
    },
    dispose: async () => {},
  };
}
