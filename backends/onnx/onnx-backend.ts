/**
 * The ONNX backend: shaped graph → ModelProto, streamed. The graph structure (nodes, value_info, metadata) is
 * small and is encoded with onnx-proto; the initializers, which are nearly all of the bytes, are appended to
 * the GraphProto one tensor at a time while the file is written (see initializer.ts and protobuf-wire.ts), so
 * writing B7 never holds more than one tensor in memory and the output bytes are a pure function of the inputs.
 *
 * Byte layout of the model file:
 *   ModelProto fields except graph | graph tag + length | GraphProto without initializers | initializer*
 * Protobuf merges fields in any order, so this is the same message as a one-shot encode() would give.
 */
import { foldableBatchNorms } from '../fold-bn.js';
import { weightSource } from '../seeded-weights.js';
import { createHash } from 'node:crypto';
import onnxProto from 'onnx-proto';
import type { Graph, GraphNode } from '../../src/ir/graph.js';
import { costReport } from '../../src/report/cost.js';
import { version } from '../../src/version.js';
import { scaledModelName } from '../../src/ir/scaled-name.js';
import type { Artifact, ArtifactFile, Backend, CommonEmitOptions } from '../backend.js';
import {
  byteLength,
  elementCount,
  rawDataPrefix,
  tensorBytes,
  tensorHeader,
  tensorSize,
  type Initializer,
  type Placement,
} from './initializer.js';
import { lowerNode, onnxDims, type Dim, type LoweringContext } from './op-to-onnx.js';
import { OnnxExportError } from './onnx-error.js';
import { castFromFloat16, ONNX_FLOAT16, ONNX_QUANTIZATION_KEY } from './float16-weights.js';
import { checkOpset, DEFAULT_OPSET, irVersionFor } from './opset.js';
import { lengthDelimitedSize, lengthPrefix } from './protobuf-wire.js';
import { contentAddressedFile, PENDING_DIGEST, sideFileName } from '../content-addressed.js';
import { PREPROCESSING_METADATA_KEY, preprocessingJson } from '../preprocessing.js';
import { SCALING_METADATA_KEY, scalingMetadata } from '../scaling-metadata.js';
import { ABSENT_DATA_LOCATION, STRUCTURE_ONLY, WEIGHTS_METADATA_KEY } from '../structure-only.js';

const { onnx } = onnxProto;

export interface OnnxEmitOptions extends CommonEmitOptions {
  /** ONNX opset, MIN_OPSET..MAX_OPSET (default 17). */
  readonly opset?: number;
  /** Keep BatchNormalization nodes instead of folding them into the convs before them. */
  readonly keepBn?: boolean;
  /** A fixed batch size; default a symbolic batch axis named 'N'. */
  readonly batch?: number;
  /** Put tensors in a side file (the ONNX external-data convention); also forced past `maxEmbeddedBytes`. */
  readonly externalData?: boolean;
  /**
   * The model file's name, which the side file's is made from: `<name>.<16 hex digits of its sha256>.data`
   * (default 'model.onnx'). The name embeds the content so that a model never pairs with another's data.
   */
  readonly externalDataBase?: string;
  /** Above this model size tensors go to the side file anyway: protobuf messages stop at 2 GiB. */
  readonly maxEmbeddedBytes?: number;
  /** Recorded in metadata_props; the CLI passes the sha256 of the spec file's bytes. */
  readonly specHash?: string;
  /** Weights stored as float16, each cast to float32 at load (float16-weights.ts): half the file. */
  readonly float16?: boolean;
  /**
   * Symbolic height and width ('H', 'W'): the file takes any input size. TF 'same' windows whose pads depend on
   * the size pad with auto_pad SAME_UPPER; the metadata still records the spec's size, which the report costs.
   */
  readonly dynamicSize?: boolean;
}

/** Protobuf's hard limit is 2^31 - 1 bytes per message; leave room for the structure. */
export const PROTOBUF_LIMIT = 2 ** 31 - 1;
const DEFAULT_MAX_EMBEDDED = PROTOBUF_LIMIT - 16 * 2 ** 20;
/** Tensors smaller than this stay inside the model even with external data (onnx's own default). */
const EXTERNAL_THRESHOLD = 1024;

/** ModelProto.graph and GraphProto.initializer field numbers. */
const MODEL_GRAPH_FIELD = 7;
const GRAPH_INITIALIZER_FIELD = 5;

/** The IR node whose tensor is the graph output, looking through pass-through nodes (dropout, 'none'). */
function producerOf(graph: Graph, id: number): number {
  const n = graph.nodes[id]!;
  if (n.op.kind === 'dropout' || (n.op.kind === 'activation' && n.op.fn === 'none')) return producerOf(graph, n.inputs[0]!);
  return id;
}

/** The spec's identity without its source positions, when the caller has no file bytes to hash. */
function specDigest(graph: Graph): string {
  const json = JSON.stringify(graph.spec, (k, v) => (k === 'span' || k === 'spans' ? undefined : v));
  return createHash('sha256').update(json).digest('hex');
}

const valueInfo = (name: string, dims: readonly Dim[]) => ({
  name,
  type: {
    tensorType: {
      elemType: onnx.TensorProto.DataType.FLOAT,
      shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
    },
  },
});

interface Lowered {
  readonly nodes: onnxProto.onnx.INodeProto[];
  readonly initializers: Initializer[];
  readonly shapes: Map<string, readonly Dim[]>;
  readonly folded: number;
}

function lowerGraph(graph: Graph, options: OnnxEmitOptions, opset: number, batch: Dim): Lowered {
  const folds = options.keepBn ? new Map<number, GraphNode>() : foldableBatchNorms(graph);
  const outputId = producerOf(graph, graph.output);
  if (graph.nodes[outputId]!.op.kind === 'input') throw new OnnxExportError('the model computes nothing: its output is its input');
  const tensors = new Map<number, string>();
  const nodes: onnxProto.onnx.INodeProto[] = [];
  const initializers = new Map<string, Initializer>();
  const shapes = new Map<string, readonly Dim[]>();
  const ctx: LoweringContext = {
    graph,
    opset,
    weights: weightSource(options),
    batch,
    dynamicSize: options.dynamicSize === true,
    tensor: (id) => {
      const t = tensors.get(id);
      if (t === undefined) throw new Error(`internal: node ${graph.nodes[id]?.name} used before it was lowered`);
      return t;
    },
    outputName: (node) => (node.id === outputId ? 'logits' : node.name),
    bind: (id, tensor) => void tensors.set(id, tensor),
    node: (proto, s) => {
      nodes.push(proto);
      for (const [name, dims] of Object.entries(s)) shapes.set(name, dims);
    },
    initializer: (init) => {
      if (!initializers.has(init.name)) initializers.set(init.name, init);
      return init.name;
    },
    foldedBn: (conv) => folds.get(conv.id),
  };
  for (const node of graph.nodes) lowerNode(node, ctx);
  if (!options.float16) return { nodes, initializers: [...initializers.values()], shapes, folded: folds.size };
  // The casts come first: ONNX lists nodes in topological order, and every weight is read after them.
  const half = castFromFloat16([...initializers.values()]);
  for (const [name, dims] of half.shapes) shapes.set(name, dims);
  return { nodes: [...half.casts, ...nodes], initializers: half.initializers, shapes, folded: folds.size };
}

function emit(graph: Graph, options: OnnxEmitOptions): Artifact {
  const opset = options.opset ?? DEFAULT_OPSET;
  checkOpset(opset);
  if (options.batch !== undefined && !(Number.isInteger(options.batch) && options.batch >= 1)) {
    throw new OnnxExportError(`batch must be a positive integer, got ${options.batch}`);
  }
  const batch: Dim = options.batch ?? 'N';
  const { nodes, initializers, shapes, folded } = lowerGraph(graph, options, opset, batch);

  const report = costReport(graph);
  const spec = graph.spec;
  const dynamic = options.dynamicSize === true;
  // Spatial dims of a dynamic file are symbolic at the ends and unknown inside (no value_info for them).
  const spatial = (dims: readonly Dim[], h: string, w: string): readonly Dim[] => (dynamic && dims.length === 4 ? [dims[0]!, dims[1]!, h, w] : dims);
  const inputDims = spatial(onnxDims(graph.nodes[0]!.shape, batch), 'H', 'W');
  const outputDims = spatial(shapes.get('logits')!, 'H_out', 'W_out');
  const params = initializers.filter((i) => i.role === 'param').reduce((s, i) => s + elementCount(i.dims), 0);
  const metadata: Record<string, string> = {
    'effnet.version': version,
    'effnet.spec': spec.name,
    'effnet.spec_sha256': options.specHash ?? specDigest(graph),
    [SCALING_METADATA_KEY]: scalingMetadata(spec),
    'effnet.params': String(report.total.params),
    'effnet.macs': String(report.total.macs),
    [WEIGHTS_METADATA_KEY]: options.structureOnly ? STRUCTURE_ONLY : weightSource(options).description,
    'effnet.batchnorm': options.keepBn ? 'kept' : 'folded into convolutions',
    ...(options.float16 ? { [ONNX_QUANTIZATION_KEY]: ONNX_FLOAT16 } : {}),
    ...(dynamic ? { 'effnet.dynamic_size': 'height and width symbolic (H, W); params and MACs are at the input size in effnet.scaling' } : {}),
    ...(options.preprocessing ? { [PREPROCESSING_METADATA_KEY]: preprocessingJson(options.preprocessing) } : {}),
  };

  const graphStructure = onnx.GraphProto.encode({
    // The model as scaled (efficientnet-b3), not the spec it came from (that is effnet.spec).
    name: scaledModelName(spec),
    node: nodes,
    input: [valueInfo('input', inputDims)],
    output: [valueInfo('logits', outputDims)],
    valueInfo: [...shapes].filter(([name, dims]) => name !== 'logits' && !(dynamic && dims.length === 4)).map(([name, dims]) => valueInfo(name, dims)),
  }).finish();
  const modelFields = onnx.ModelProto.encode({
    irVersion: irVersionFor(opset),
    producerName: 'effnet',
    producerVersion: version,
    docString: `${scaledModelName(spec)}, compiled by effnet ${version} from ${spec.name}`,
    opsetImport: [{ domain: '', version: opset }],
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  }).finish();

  // Decide where each tensor lives, then size everything before a single weight is generated. The side file's
  // name depends on its bytes, so sizes are computed with a placeholder of the same length.
  const base = options.externalDataBase ?? 'model.onnx';
  const pendingLocation = sideFileName(base, PENDING_DIGEST, 'data');
  const embeddedTotal = modelFields.length + graphStructure.length + initializers.reduce((s, i) => s + byteLength(i) + 256, 0);
  const absent = options.structureOnly === true;
  const external = !absent && (options.externalData === true || embeddedTotal > (options.maxEmbeddedBytes ?? DEFAULT_MAX_EMBEDDED));
  let offset = 0;
  const layout = initializers.map((init) => {
    let placement: Placement = { kind: 'embedded' };
    if (absent) {
      // Every tensor, however small: a structure-only file holds no weight at all.
      placement = { kind: 'external', location: ABSENT_DATA_LOCATION, offset };
      offset += byteLength(init);
    } else if (external && byteLength(init) >= EXTERNAL_THRESHOLD) {
      placement = { kind: 'external', location: pendingLocation, offset };
      offset += byteLength(init);
    }
    const header = tensorHeader(init, placement);
    const size = tensorSize(init, header, placement);
    return { init, placement, header, size };
  });
  const graphLength = graphStructure.length + layout.reduce((s, t) => s + lengthDelimitedSize(GRAPH_INITIALIZER_FIELD, t.size), 0);
  const modelBytes = modelFields.length + lengthDelimitedSize(MODEL_GRAPH_FIELD, graphLength);
  if (modelBytes > PROTOBUF_LIMIT) throw new OnnxExportError(`the model structure alone is ${modelBytes} bytes, past protobuf's 2 GiB limit`);

  const dataFile = contentAddressedFile(base, 'data', function* () {
    for (const t of layout) if (t.placement.kind === 'external') yield tensorBytes(t.init);
  });
  const modelFile: ArtifactFile = {
    path: '',
    *chunks() {
      const location = absent ? ABSENT_DATA_LOCATION : external ? dataFile.path : pendingLocation;
      yield modelFields;
      yield lengthPrefix(MODEL_GRAPH_FIELD, graphLength);
      yield graphStructure;
      for (const t of layout) {
        yield lengthPrefix(GRAPH_INITIALIZER_FIELD, t.size);
        if (t.placement.kind === 'embedded') {
          yield t.header;
          yield rawDataPrefix(t.init);
          yield tensorBytes(t.init);
        } else {
          const header = tensorHeader(t.init, { ...t.placement, location });
          if (header.length !== t.header.length) throw new Error('internal: the side file name changed the tensor header size');
          yield header;
        }
      }
    },
  };

  return {
    layout: 'file',
    // The side file first: the model names it by its bytes.
    files: external ? [dataFile, modelFile] : [modelFile],
    summary: {
      format: 'onnx',
      opset,
      irVersion: irVersionFor(opset),
      params,
      nodes: nodes.length,
      initializers: initializers.length,
      foldedBatchNorm: folded > 0,
      foldedBatchNorms: folded,
      modelBytes,
      externalDataBytes: external ? offset : 0,
      ...(options.float16 ? { quantization: ONNX_FLOAT16 } : {}),
      ...(dynamic ? { dynamicSize: true } : {}),
      ...(absent ? { structureOnly: true } : {}),
    },
  };
}

export const onnxBackend: Backend<OnnxEmitOptions> = { name: 'onnx', emit };
