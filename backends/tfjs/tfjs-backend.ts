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
import type { Artifact, ArtifactFile, Backend, CommonEmitOptions } from '../backend.js';
import { PREPROCESSING_METADATA_KEY, preprocessingJson } from '../preprocessing.js';
import { graphModelJson } from './graph/graph-model-json.js';
import { toGraphDef } from './graph/to-graph-def.js';
import { SHARD_BYTES, shardName, type LayersModelJson, type WeightEntry } from './keras-format.js';
import { toWire, type WireOptions, type WireWeight } from './to-wire.js';

/**
 * 'layers': a Keras LayersModel (tf.loadLayersModel), trainable, the format effnet's weights importer reads.
 * 'graph': a graph model (tf.loadGraphModel) for inference only: BN folded, fused conv ops, AvgPool squeezes.
 */
export type TfjsFormat = 'layers' | 'graph';

export interface TfjsEmitOptions extends CommonEmitOptions, WireOptions {
  /** Shard size limit in bytes (default 4 MB); a multiple of 4 so no float is split across files. */
  readonly shardBytes?: number;
  /** Default 'layers'. */
  readonly tfjsFormat?: TfjsFormat;
}

/** Recorded in a model that takes any size: the size the spec declares, which effnet run and --verify feed. */
export const INPUT_METADATA_KEY = 'effnet.input';

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
  const graphDef = options.tfjsFormat === 'graph' ? toGraphDef(graph, options) : undefined;
  const wire = graphDef ? undefined : toWire(graph, options);
  const weights = graphDef?.weights ?? wire!.weights;
  const offsets: number[] = [];
  let total = 0;
  for (const w of weights) {
    offsets.push(total);
    total += elements(w.shape) * 4;
  }
  const shardCount = Math.max(1, Math.ceil(total / shardBytes));
  const paths = Array.from({ length: shardCount }, (_, i) => shardName(i, shardCount));
  const entries: WeightEntry[] = weights.map((w) => ({ name: w.name, shape: [...w.shape], dtype: w.dtype ?? 'float32' }));
  const { height, width, channels } = graph.spec.input;
  // tfjs-core's ModelJSON field for "user-defined metadata about the model"; loadLayersModel hands it to
  // model.getUserDefinedMetadata(), and effnet run reads it from model.json.
  const metadata = {
    ...(options.preprocessing ? { [PREPROCESSING_METADATA_KEY]: JSON.parse(preprocessingJson(options.preprocessing)) as object } : {}),
    ...(options.dynamicSize ? { [INPUT_METADATA_KEY]: { height, width, channels } } : {}),
  };
  const userDefinedMetadata = Object.keys(metadata).length ? { userDefinedMetadata: metadata } : {};

  const json: LayersModelJson | ReturnType<typeof graphModelJson> = graphDef ? graphModelJson(graphDef, [{ paths, weights: entries }], userDefinedMetadata.userDefinedMetadata) : {
    format: 'layers-model',
    generatedBy: `effnet ${version}`,
    convertedBy: null,
    modelTopology: {
      class_name: 'Model',
      config: {
        name: graph.spec.name,
        layers: wire!.layers,
        input_layers: [[wire!.inputLayer, 0, 0]],
        output_layers: [[wire!.outputLayer, 0, 0]],
      },
      keras_version: `effnet ${version}`,
      backend: 'tensor_flow.js',
    },
    weightsManifest: [{ paths, weights: entries }],
    ...userDefinedMetadata,
  };

  const files: ArtifactFile[] = [{ path: 'model.json', chunks: () => [new TextEncoder().encode(JSON.stringify(json))] }];
  for (let s = 0; s < shardCount; s++) {
    const start = s * shardBytes;
    const end = Math.min(total, start + shardBytes);
    files.push({ path: paths[s]!, chunks: () => byteRange(weights, offsets, start, end) });
  }
  const count = (pred: (w: WireWeight) => boolean) => weights.filter(pred).reduce((a, w) => a + elements(w.shape), 0);
  return {
    layout: 'directory',
    files,
    summary: {
      format: graphDef ? 'tfjs graph-model' : 'tfjs layers-model',
      ...(graphDef ? { nodes: graphDef.nodes.length } : { layers: wire!.layers.length }),
      params: count((w) => w.trainable),
      nonTrainable: count((w) => !w.trainable),
      weightBytes: total,
      shards: shardCount,
      foldedBatchNorm: graphDef ? graphDef.foldedBatchNorms > 0 : options.foldBatchNorm === true,
      ...(options.dynamicSize ? { dynamicSize: true } : {}),
    },
  };
}

export const tfjsBackend: Backend<TfjsEmitOptions> = { name: 'tfjs', emit: emitTfjs };
