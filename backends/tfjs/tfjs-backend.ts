/**
 * The TF.js backend: the shaped graph as a TF.js LayersModel directory, model.json plus weight shards of at
 * most 4 MB listed in the standard weights manifest. Loadable by `tf.loadLayersModel` (file:// with
 * tfjs-node, `fileIOHandler` with plain @tensorflow/tfjs, HTTP in a browser), trainable, and numerically the
 * same network as the ONNX backend for the same seed (weights.ts, transposed to TF layouts in to-wire.ts).
 *
 * Shards are produced lazily, one weight tensor at a time, so emitting B7 never holds all its weights at once.
 */
import type { Graph } from '../../src/ir/graph.js';
import { version } from '../../src/version.js';
import { scaledModelName } from '../../src/ir/scaled-name.js';
import type { Artifact, ArtifactFile, Backend, CommonEmitOptions } from '../backend.js';
import { PREPROCESSING_METADATA_KEY, preprocessingJson } from '../preprocessing.js';
import { STRUCTURE_ONLY, WEIGHTS_METADATA_KEY } from '../structure-only.js';
import { SHARD_BYTES, shardName, type LayersModelJson, type WeightEntry } from './keras-format.js';
import { toWire, type WireOptions, type WireWeight } from './to-wire.js';

export interface TfjsEmitOptions extends CommonEmitOptions, WireOptions {
  /** Shard size limit in bytes (default 4 MB); a multiple of 4 so no float is split across files. */
  readonly shardBytes?: number;
}

const elements = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** The bytes [start, end) of the concatenation of all weights, generating each tensor only when reached. */
function* byteRange(weights: readonly WireWeight[], offsets: readonly number[], start: number, end: number): Iterable<Uint8Array> {
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    const from = offsets[i]!;
    const to = from + elements(w.shape) * 4;
    if (to <= start || from >= end) continue;
    const data = w.data();
    if (data.length !== elements(w.shape)) throw new Error(`internal: ${w.name} has ${data.length} values for shape [${w.shape}]`);
    // Float32Array bytes are little-endian on every platform TF.js runs on, which is what the format expects.
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    yield bytes.subarray(Math.max(start, from) - from, Math.min(end, to) - from);
  }
}

export function emitTfjs(graph: Graph, options: TfjsEmitOptions): Artifact {
  const shardBytes = options.shardBytes ?? SHARD_BYTES;
  if (shardBytes <= 0 || shardBytes % 4 !== 0) throw new RangeError(`shardBytes must be a positive multiple of 4, got ${shardBytes}`);
  const wire = toWire(graph, options);
  const offsets: number[] = [];
  let total = 0;
  for (const w of wire.weights) {
    offsets.push(total);
    total += elements(w.shape) * 4;
  }
  const absent = options.structureOnly === true;
  // A structure-only model lists its weights with no shard to read them from.
  const shardCount = absent ? 0 : Math.max(1, Math.ceil(total / shardBytes));
  const paths = Array.from({ length: shardCount }, (_, i) => shardName(i, shardCount));
  const entries: WeightEntry[] = wire.weights.map((w) => ({ name: w.name, shape: [...w.shape], dtype: 'float32' }));

  const json: LayersModelJson = {
    format: 'layers-model',
    generatedBy: `effnet ${version}`,
    convertedBy: null,
    modelTopology: {
      class_name: 'Model',
      config: {
        name: scaledModelName(graph.spec),
        layers: wire.layers,
        input_layers: [[wire.inputLayer, 0, 0]],
        output_layers: [[wire.outputLayer, 0, 0]],
      },
      keras_version: `effnet ${version}`,
      backend: 'tensor_flow.js',
    },
    weightsManifest: [{ paths, weights: entries }],
    // tfjs-core's ModelJSON field for "user-defined metadata about the model"; loadLayersModel hands it to
    // model.getUserDefinedMetadata(), and effnet run reads it from model.json.
    ...(options.preprocessing || absent
      ? {
          userDefinedMetadata: {
            ...(options.preprocessing ? { [PREPROCESSING_METADATA_KEY]: JSON.parse(preprocessingJson(options.preprocessing)) } : {}),
            // tfjs-core types these entries as objects, so the string goes in one.
            ...(absent ? { [WEIGHTS_METADATA_KEY]: { structureOnly: true, weights: STRUCTURE_ONLY } } : {}),
          },
        }
      : {}),
  };

  const files: ArtifactFile[] = [{ path: 'model.json', chunks: () => [new TextEncoder().encode(JSON.stringify(json))] }];
  for (let s = 0; s < shardCount; s++) {
    const start = s * shardBytes;
    const end = Math.min(total, start + shardBytes);
    files.push({ path: paths[s]!, chunks: () => byteRange(wire.weights, offsets, start, end) });
  }
  const count = (pred: (w: WireWeight) => boolean) => wire.weights.filter(pred).reduce((a, w) => a + elements(w.shape), 0);
  return {
    layout: 'directory',
    files,
    summary: {
      format: 'tfjs layers-model',
      layers: wire.layers.length,
      params: count((w) => w.trainable),
      nonTrainable: count((w) => !w.trainable),
      weightBytes: absent ? 0 : total,
      shards: shardCount,
      foldedBatchNorm: options.foldBatchNorm === true,
      ...(absent ? { structureOnly: true } : {}),
    },
  };
}

export const tfjsBackend: Backend<TfjsEmitOptions> = { name: 'tfjs', emit: emitTfjs };
