/**
 * The interface every backend implements. A backend turns the shaped graph into an Artifact: a set of files
 * described by lazily produced byte chunks. Emitting never touches the file system; the CLI edge writes the
 * artifact (atomically, streaming the chunks), so a large model is never held in memory twice. Loading a
 * written model back (TF.js's file handler and backend choice) is runtime code, kept in backends/tfjs/runtime/.
 */
import type { Graph, GraphNode } from '../src/ir/graph.js';
import type { Preprocessing } from './preprocessing.js';
import type { WeightSource } from './weight-source.js';

export type { TensorRole, WeightSource } from './weight-source.js';

export interface ArtifactFile {
  /**
   * Path relative to the output location ('' for a single-file artifact written at the output path). A
   * content-addressed side file (content-addressed.ts) knows its path only once its chunks are consumed: files
   * are listed in the order they must be produced, and the path is read after each file's bytes.
   */
  readonly path: string;
  /** The bytes, produced on demand and in order; a large weights file streams chunk by chunk. */
  chunks(): Iterable<Uint8Array>;
}

export interface Artifact {
  /** 'file': one file written at the output path; 'directory': files inside the output directory. */
  readonly layout: 'file' | 'directory';
  readonly files: readonly ArtifactFile[];
  /** Figures the backend wants to report (parameter count it wrote, opset, ...). */
  readonly summary: ArtifactSummary;
  /** Layers the target writes in another form than the graph's, and what it costs; the CLI warns of each. */
  readonly notes?: readonly BackendNote[];
}

/** A layer written differently from the graph (exact, but at a cost the user should know of). */
export interface BackendNote {
  readonly node: GraphNode;
  /** What the layer is written as. */
  readonly what: string;
  /** What that costs or changes. */
  readonly cost: string;
}

/** What every backend reports, plus whatever else it wants to (opset, shard count, ...). */
export interface ArtifactSummary {
  readonly [figure: string]: string | number | boolean | undefined;
  readonly format?: string;
  /** Parameters written; fewer than the cost report's when BN was folded. */
  readonly params?: number;
  /** BN folded into the convs: an inference-only model. */
  readonly foldedBatchNorm?: boolean;
}

/**
 * A model the backend cannot write as asked (an op the target cannot express, an opset out of range).
 * `node` names the layer at fault when there is one, so the CLI can point at its line in the spec.
 */
export class BackendError extends Error {
  constructor(message: string, readonly node?: GraphNode, readonly why?: string) {
    super(message);
  }
}

/** Options shared by all backends; each backend may take more. */
export interface CommonEmitOptions {
  /** Seeded weights are a pure function of (seed, layer name, tensor role): same seed, same weights everywhere. */
  readonly seed: number;
  /** 'random' (the reference initialisers, seeded), 'zeros' (a structure-only model), or a source such as a checkpoint. */
  readonly weights: 'random' | 'zeros' | WeightSource;
  /** Write the structure and each weight tensor's name and shape, but no weight bytes (structure-only.ts). */
  readonly structureOnly?: boolean;
  /** Random (non-identity) BN statistics, for tests that must see BN folding do something. */
  readonly randomBatchNorm?: boolean;
  /**
   * The preprocessing the model expects (resize, crop, mean, std), recorded in the model's metadata under
   * `effnet.preprocessing` so that `effnet run` applies it by default. Absent: nothing is recorded.
   */
  readonly preprocessing?: Preprocessing;
}

export interface Backend<O extends CommonEmitOptions = CommonEmitOptions> {
  readonly name: string;
  emit(graph: Graph, options: O): Artifact;
}
