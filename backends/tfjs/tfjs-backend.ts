/**
 * The TF.js backend: the shaped graph as a TF.js LayersModel directory, model.json plus weight shards of at
 * most 4 MB listed in the standard weights manifest. Loadable by `tf.loadLayersModel` (file:// with
 * tfjs-node, `fileIOHandler` with plain @tensorflow/tfjs, HTTP in a browser), trainable, and numerically the
 * same network as the ONNX backend for the same seed (weights.ts, transposed to TF layouts in to-wire.ts).
 *
 * Shards are produced lazily, one weight tensor at a time, so emitting B7 never holds all its weights at once.
 * With `quantize`, weights are stored as tfjs-converter's float16, uint16 or uint8 (quantize.ts), and
 * tf.loadLayersModel (or tf.loadGraphModel) turns them back into float32.
 */
import type { Graph } from '../../src/ir/graph.js';
import { scaledModelName } from '../../src/ir/scaled-name.js';
import { version } from '../../src/version.js';
import type { Artifact, ArtifactFile, Backend, CommonEmitOptions } from '../backend.js';
import { PREPROCESSING_METADATA_KEY, preprocessingJson } from '../preprocessing.js';
import { graphModelJson } from './graph/graph-model-json.js';
import { toGraphDef } from './graph/to-graph-def.js';
import { SHARD_BYTES, shardName, type LayersModelJson } from './keras-format.js';
import { describeQuantization, weightStore, type QuantizationRule, type WeightStore } from './quantize.js';
import { STRUCTURE_ONLY, WEIGHTS_METADATA_KEY } from '../structure-only.js';
import { toWire, type WireOptions, type WireWeight } from './to-wire.js';
/**
 * 'layers': a Keras LayersModel (tf.loadLayersModel), trainable, the format effnet's weights importer reads.
 * 'graph': a graph model (tf.loadGraphModel) for inference only: BN folded, fused conv ops, AvgPool squeezes.
 */
export type TfjsFormat = 'layers' | 'graph';

export interface TfjsEmitOptions extends CommonEmitOptions, WireOptions {
  /** Shard size limit in bytes (default 4 MB); a multiple of 4 so no float is split across files. */
  readonly shardBytes?: number;
  /** Quantized weights (quantize.ts): which weights are stored as float16, uint16 or uint8. Default none. */
  readonly quantize?: readonly QuantizationRule[];
  /** Default 'layers'. */
  readonly tfjsFormat?: TfjsFormat;
}

/** Recorded in a model that takes any size: the size the spec declares, which effnet run and --verify feed. */
export const INPUT_METADATA_KEY = 'effnet.input';

const elements = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** The bytes [start, end) of the concatenation of all weights, generating each tensor only when reached. */
function* byteRange(store: WeightStore, count: number, offsets: readonly number[], start: number, end: number): Iterable<Uint8Array> {
  for (let i = 0; i < count; i++) {
    const from = offsets[i]!;
    const to = from + store.byteLength(i);
    if (to <= start || from >= end) continue;
    const bytes = store.bytes(i);
    yield bytes.subarray(Math.max(start, from) - from, Math.min(end, to) - from);
  }
}

export function emitTfjs(graph: Graph, options: TfjsEmitOptions): Artifact {
  const shardBytes = options.shardBytes ?? SHARD_BYTES;
  if (shardBytes <= 0 || shardBytes % 4 !== 0) throw new RangeError(`shardBytes must be a positive multiple of 4, got ${shardBytes}`);
  const graphDef = options.tfjsFormat === 'graph' ? toGraphDef(graph, options) : undefined;
  const wire = graphDef ? undefined : toWire(graph, options);
  const weights = graphDef?.weights ?? wire!.weights;
  const store = weightStore(weights, options.quantize);
  const offsets: number[] = [];
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    offsets.push(total);
    total += store.byteLength(i);
  }
  const absent = options.structureOnly === true;
  // A structure-only model lists its weights with no shard to read them from.
  const shardCount = absent ? 0 : Math.max(1, Math.ceil(total / shardBytes));
  const paths = Array.from({ length: shardCount }, (_, i) => shardName(i, shardCount));
  const { height, width, channels } = graph.spec.input;
  // tfjs-core's ModelJSON field for "user-defined metadata about the model"; loadLayersModel hands it to
  // model.getUserDefinedMetadata(), and effnet run reads it from model.json.
  const metadata = {
    ...(options.preprocessing ? { [PREPROCESSING_METADATA_KEY]: JSON.parse(preprocessingJson(options.preprocessing)) as object } : {}),
    ...(options.dynamicSize ? { [INPUT_METADATA_KEY]: { height, width, channels } } : {}),
    // tfjs-core types these entries as objects, so the string goes in one.
    ...(absent ? { [WEIGHTS_METADATA_KEY]: { structureOnly: true, weights: STRUCTURE_ONLY } } : {}),
  };
  const userDefinedMetadata = Object.keys(metadata).length ? { userDefinedMetadata: metadata } : {};
  // A quantized weight's entry holds its scale and min, known once its values are: built when model.json is.
  const manifest = () => [{ paths, weights: weights.map((_, i) => store.entry(i)) }];
  const json = (): LayersModelJson | ReturnType<typeof graphModelJson> => graphDef ? graphModelJson(graphDef, manifest(), userDefinedMetadata.userDefinedMetadata) : ({
    format: 'layers-model',
    generatedBy: `effnet ${version}`,
    convertedBy: null,
    modelTopology: {
      class_name: 'Model',
      config: {
        name: scaledModelName(graph.spec),
        layers: wire!.layers,
        input_layers: [[wire!.inputLayer, 0, 0]],
        output_layers: [[wire!.outputLayer, 0, 0]],
      },
      keras_version: `effnet ${version}`,
      backend: 'tensor_flow.js',
    },
    weightsManifest: manifest(),
    ...userDefinedMetadata,
  });

  const modelJson: ArtifactFile = { path: 'model.json', chunks: () => [new TextEncoder().encode(JSON.stringify(json()))] };
  const shards: ArtifactFile[] = [];
  for (let s = 0; s < shardCount; s++) {
    const start = s * shardBytes;
    const end = Math.min(total, start + shardBytes);
    shards.push({ path: paths[s]!, chunks: () => byteRange(store, weights.length, offsets, start, end) });
  }
  const quantized = Object.values(store.counts).reduce((a, b) => a + b, 0);
  // With quantized weights model.json comes last, so the scale and min the shards computed are at hand and
  // no tensor is generated twice.
  const files = quantized ? [...shards, modelJson] : [modelJson, ...shards];
  const count = (pred: (w: WireWeight) => boolean) => weights.filter(pred).reduce((a, w) => a + elements(w.shape), 0);
  return {
    layout: 'directory',
    files,
    summary: {
      format: graphDef ? 'tfjs graph-model' : 'tfjs layers-model',
      ...(graphDef ? { nodes: graphDef.nodes.length } : { layers: wire!.layers.length }),
      params: count((w) => w.trainable),
      nonTrainable: count((w) => !w.trainable),
      weightBytes: absent ? 0 : total,
      shards: shardCount,
      foldedBatchNorm: graphDef ? graphDef.foldedBatchNorms > 0 : options.foldBatchNorm === true,
      ...(options.dynamicSize ? { dynamicSize: true } : {}),
      ...(quantized ? { quantization: describeQuantization(store.counts, weights.length) } : {}),
      ...(absent ? { structureOnly: true } : {}),
    },
    notes: wire?.notes ?? graphDef!.notes,
  };
}

export const tfjsBackend: Backend<TfjsEmitOptions> = { name: 'tfjs', emit: emitTfjs };
