/**
 * The wire format of a TF.js graph model (model.json with `format: 'graph-model'`), as tfjs-converter writes
 * it and `tf.loadGraphModel` reads it: `modelTopology` is a TensorFlow GraphDef in protobuf's JSON mapping
 * (NodeDef: name, op, input, attr), the weights are the graph's Const nodes, listed in the weights manifest
 * under the Const node's name. Field names are TensorFlow's, snake_case in attrs, camelCase in the JSON
 * mapping of the messages (`tensorShape`, `keep_dims`): exactly what tfjs-converter 4.22's operation mapper
 * (operation_mapper.ts, op_list/*.json) looks up.
 */
import type { WeightsManifestGroup } from '../keras-format.js';

/** tensorflow.DataType, by the enum names the JSON mapping uses. */
export type DataType = 'DT_FLOAT' | 'DT_INT32';

/** A TensorShapeProto: `size: '-1'` is an unknown dimension (int64s are strings in protobuf's JSON mapping). */
export interface TensorShapeJson {
  readonly dim: readonly { readonly size: string }[];
}

/** An AttrValue: exactly one of these fields is set. Strings are base64, as protobuf's JSON mapping has bytes. */
export interface AttrValueJson {
  readonly s?: string;
  readonly i?: string;
  readonly f?: number;
  readonly b?: boolean;
  readonly type?: DataType;
  readonly shape?: TensorShapeJson;
  readonly list?: { readonly s?: readonly string[]; readonly i?: readonly string[] };
  readonly tensor?: { readonly dtype: DataType; readonly tensorShape: TensorShapeJson };
}

export interface NodeDefJson {
  readonly name: string;
  readonly op: string;
  /** Producers, `name` for output 0 (tfjs-converter also reads `name:k`). */
  readonly input?: readonly string[];
  readonly attr?: Readonly<Record<string, AttrValueJson>>;
}

/** A SignatureDef's TensorInfo: the tensor `node:0` behind a named input or output. */
export interface TensorInfoJson {
  readonly name: string;
  readonly dtype: DataType;
  readonly tensorShape: TensorShapeJson;
}

/** model.json of a graph model. */
export interface GraphModelJson {
  readonly format: 'graph-model';
  readonly generatedBy: string;
  readonly convertedBy: null;
  readonly modelTopology: {
    readonly node: readonly NodeDefJson[];
    readonly library: Record<string, never>;
    /** GraphDef.versions.producer: the TensorFlow graph version the op semantics follow (TF 2.x's range). */
    readonly versions: { readonly producer: number };
  };
  /** Named inputs and outputs: `input` and `logits`, as in the ONNX file. */
  readonly signature: {
    readonly inputs: Readonly<Record<string, TensorInfoJson>>;
    readonly outputs: Readonly<Record<string, TensorInfoJson>>;
  };
  readonly weightsManifest: readonly WeightsManifestGroup[];
  readonly userDefinedMetadata?: { readonly [key: string]: object };
}

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** -1 is an unknown dimension (the batch, or H and W of a model that takes any size). */
export const shapeJson = (dims: readonly (number | null)[]): TensorShapeJson => ({ dim: dims.map((d) => ({ size: String(d ?? -1) })) });

/** AttrValue builders, one per field the ops effnet emits use. */
export const attr = {
  string: (text: string): AttrValueJson => ({ s: base64(text) }),
  strings: (texts: readonly string[]): AttrValueJson => ({ list: { s: texts.map(base64) } }),
  int: (n: number): AttrValueJson => ({ i: String(n) }),
  ints: (ns: readonly number[]): AttrValueJson => ({ list: { i: ns.map(String) } }),
  float: (x: number): AttrValueJson => ({ f: x }),
  bool: (b: boolean): AttrValueJson => ({ b }),
  type: (t: DataType): AttrValueJson => ({ type: t }),
  shape: (dims: readonly (number | null)[]): AttrValueJson => ({ shape: shapeJson(dims) }),
  tensor: (t: DataType, dims: readonly number[]): AttrValueJson => ({ tensor: { dtype: t, tensorShape: shapeJson(dims) } }),
};
