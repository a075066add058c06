/**
 * The wire format of a TF.js LayersModel (model.json), as tfjs-layers 4.x writes and reads it. Field names are
 * Keras's snake_case on purpose: `tf.loadLayersModel` deserialises them with Keras's rules, and Python Keras
 * converters read the same file. Checked against what `model.save()` of tfjs-layers 4.22 writes.
 */
import type { ManifestQuantization } from './quantize.js';

/** A Keras layer reference inside inbound_nodes: [layer name, node index, tensor index, kwargs]. */
export type InboundRef = [string, number, number, Record<string, never>];

export interface KerasLayer {
  readonly class_name: string;
  readonly name: string;
  /** Layer arguments, snake_case; always carries `name` (Keras requires it inside config too). */
  readonly config: Readonly<Record<string, unknown>> & { readonly name: string };
  /** One call of the layer: a list of its input tensors. Empty for the InputLayer. */
  readonly inbound_nodes: InboundRef[][];
}

export interface KerasModelTopology {
  /** 'Model' is what tfjs-layers writes for a functional model (Keras 2 also reads it). */
  readonly class_name: 'Model';
  readonly config: {
    readonly name: string;
    readonly layers: readonly KerasLayer[];
    readonly input_layers: [string, number, number][];
    readonly output_layers: [string, number, number][];
  };
  readonly keras_version: string;
  readonly backend: 'tensor_flow.js';
}

/** One tensor in a weights group; its bytes follow the previous tensor's in the group's concatenated shards. */
export interface WeightEntry {
  /** `<layer name>/<weight name>`: how loadLayersModel matches bytes to layer variables. */
  readonly name: string;
  readonly shape: readonly number[];
  /** The type the weight decodes to (int32 only for a graph model's index constants); its stored bytes are
   * `quantization.dtype` when that is present. */
  readonly dtype: 'float32' | 'int32';
  /** Set for a weight stored quantized (quantize.ts), as tfjs-converter writes it; tf.loadLayersModel dequantizes. */
  readonly quantization?: ManifestQuantization;
}

export interface WeightsManifestGroup {
  /** Shard file names, relative to model.json; the group's bytes are their concatenation, in order. */
  readonly paths: readonly string[];
  readonly weights: readonly WeightEntry[];
}

/** model.json. */
export interface LayersModelJson {
  readonly format: 'layers-model';
  readonly generatedBy: string;
  readonly convertedBy: null;
  readonly modelTopology: KerasModelTopology;
  readonly weightsManifest: readonly WeightsManifestGroup[];
  /**
   * tfjs-core's ModelJSON.userDefinedMetadata ({ [key: string]: {} }): JSON objects the model carries for its
   * users. effnet writes `effnet.preprocessing` (backends/preprocessing.ts) there when it is given.
   */
  readonly userDefinedMetadata?: { readonly [key: string]: object };
}

/** Shard size limit: 4 MB, TF.js's own default (browsers cache and fetch shards of this size well). */
export const SHARD_BYTES = 4 * 1024 * 1024;

export function shardName(index: number, count: number): string {
  return `group1-shard${index + 1}of${count}.bin`;
}

/** Keras's channels-last 2-D padding form: ((top, bottom), (left, right)). */
export type Padding2D = [[number, number], [number, number]];
