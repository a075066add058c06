/**
 * The PyTorch backend: the shaped graph as a directory holding
 *   model.py           one readable torch.nn.Module (module-tree.ts reads the blocks, model-source.ts writes them);
 *   model.safetensors  its state_dict, effnet's tensor names, streamed one tensor at a time from the WeightSource;
 *   load.py            read_safetensors(), for machines without the safetensors package.
 *
 * The state_dict keys are effnet's naming contract, `stateDictKey(modulePaths(graph)(node), role)`, and the
 * tensors are the WeightSource's in its canonical layout, which is PyTorch's, so the seeded weights are the
 * same network as the ONNX and TF.js files of the same seed.
 *
 * num_batches_tracked: every nn.BatchNorm2d has this buffer, so the file holds one per batch norm (an I64 0)
 * and `load_state_dict(read_safetensors(...))` works with strict=True. Leaving them out would need
 * strict=False, which also hides real mistakes (a misspelt key would load nothing and say nothing); torch's
 * own fallback that fills in a missing num_batches_tracked applies only to state_dicts without version
 * metadata and is not something to rely on. The buffer only matters for momentum=None (a cumulative average),
 * which effnet never sets: its value is left at 0, what a fresh module holds.
 */
import { createHash } from 'node:crypto';
import type { Graph } from '../../src/ir/graph.js';
import { costReport } from '../../src/report/cost.js';
import { version } from '../../src/version.js';
import { graphTensors } from '../../src/weights/graph-tensors.js';
import { modulePaths, NUM_BATCHES_TRACKED, stateDictKey } from '../../src/weights/naming/effnet-names.js';
import type { Artifact, Backend, CommonEmitOptions } from '../backend.js';
import { weightSource } from '../seeded-weights.js';
import { loadSource } from './load-source.js';
import { className, modelSource } from './model-source.js';
import { moduleTree } from './module-tree.js';
import { safetensorsFile, type SafetensorsTensor } from './safetensors-file.js';
import { SCALING_METADATA_KEY, scalingMetadata } from '../scaling-metadata.js';
import { STRUCTURE_ONLY, WEIGHTS_METADATA_KEY } from '../structure-only.js';

export interface PytorchEmitOptions extends CommonEmitOptions {
  /** Recorded in the docstring and metadata; the CLI passes the sha256 of the spec file's bytes. */
  readonly specHash?: string;
}

export const MODEL_FILE = 'model.py';
export const WEIGHTS_FILE = 'model.safetensors';
export const LOAD_FILE = 'load.py';

/** The spec's identity without its source positions, when the caller has no file bytes to hash. */
function specDigest(graph: Graph): string {
  const json = JSON.stringify(graph.spec, (k, v) => (k === 'span' || k === 'spans' ? undefined : v));
  return createHash('sha256').update(json).digest('hex');
}

/** The state_dict as safetensors entries: every graph tensor under its contract name, plus num_batches_tracked. */
function stateDict(graph: Graph, options: PytorchEmitOptions): SafetensorsTensor[] {
  const source = weightSource(options);
  const pathOf = modulePaths(graph);
  const out: SafetensorsTensor[] = [];
  for (const t of graphTensors(graph)) {
    const path = pathOf(t.node);
    out.push({ name: stateDictKey(path, t.role), dtype: 'F32', shape: t.shape, data: () => source.tensor(t.node, t.role, t.shape) });
    if (t.role === 'variance') out.push({ name: `${path}.${NUM_BATCHES_TRACKED}`, dtype: 'I64', shape: [], data: () => new BigInt64Array(1) });
  }
  return out;
}

function emit(graph: Graph, options: PytorchEmitOptions): Artifact {
  const tree = moduleTree(graph);
  const report = costReport(graph);
  const spec = graph.spec;
  const name = className(graph);
  const specHash = options.specHash ?? specDigest(graph);
  const absent = options.structureOnly === true;
  const weights = absent ? STRUCTURE_ONLY : weightSource(options).description;
  const tensors = stateDict(graph, options);
  const metadata: Record<string, string> = {
    format: 'pt',
    'effnet.version': version,
    'effnet.spec': spec.name,
    'effnet.spec_sha256': specHash,
    [SCALING_METADATA_KEY]: scalingMetadata(spec),
    'effnet.input': JSON.stringify([spec.input.channels, spec.input.height, spec.input.width]),
    'effnet.class': name,
    'effnet.params': String(report.total.params),
    'effnet.bn_stats': String(report.total.bnStats),
    'effnet.macs': String(report.total.macs),
    [WEIGHTS_METADATA_KEY]: weights,
  };
  const source = modelSource(graph, tree, { className: name, report, weights, specHash, weightsFile: WEIGHTS_FILE });
  const weightsFile = safetensorsFile(WEIGHTS_FILE, tensors, metadata);
  const text = (path: string, body: string) => ({ path, chunks: () => [new TextEncoder().encode(body)] });
  const count = (trainable: boolean) => graphTensors(graph).filter((t) => t.trainable === trainable).reduce((s, t) => s + t.shape.reduce((a, b) => a * b, 1), 0);
  return {
    layout: 'directory',
    // Structure only: the module without its state dict (it builds with PyTorch's own initialisers).
    files: absent ? [text(MODEL_FILE, source), text(LOAD_FILE, loadSource)] : [text(MODEL_FILE, source), weightsFile.file, text(LOAD_FILE, loadSource)],
    summary: {
      format: 'pytorch nn.Module + safetensors',
      className: name,
      params: count(true),
      bnStats: count(false),
      tensors: tensors.length,
      weightBytes: absent ? 0 : weightsFile.bytes,
      foldedBatchNorm: false,
      ...(absent ? { structureOnly: true } : {}),
    },
  };
}

export const pytorchBackend: Backend<PytorchEmitOptions> = { name: 'pytorch', emit };
