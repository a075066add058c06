/**
 * The interface every backend implements. A backend turns the shaped graph into an Artifact: a set of files
 * described by lazily produced byte chunks. Backends never touch the file system; the CLI edge writes the
 * artifact (atomically, streaming the chunks), so a large model is never held in memory twice.
 */
import type { Graph } from '../src/ir/graph.js';

export interface ArtifactFile {
  /** Path relative to the output location ('' for a single-file artifact written at the output path). */
  readonly path: string;
  /** The bytes, produced on demand and in order; a large weights file streams chunk by chunk. */
  chunks(): Iterable<Uint8Array>;
}

export interface Artifact {
  /** 'file': one file written at the output path; 'directory': files inside the output directory. */
  readonly layout: 'file' | 'directory';
  readonly files: readonly ArtifactFile[];
  /** Figures the backend wants to report (parameter count it wrote, opset, ...). */
  readonly summary: Readonly<Record<string, string | number | boolean>>;
}

/** Options shared by all backends; each backend may take more. */
export interface CommonEmitOptions {
  /** Weights are a pure function of (seed, layer name, tensor role): same seed, same weights everywhere. */
  readonly seed: number;
  /** 'zeros' writes a structure-only model. */
  readonly weights: 'random' | 'zeros';
  /** Random (non-identity) BN statistics, for tests that must see BN folding do something. */
  readonly randomBatchNorm?: boolean;
}

export interface Backend<O extends CommonEmitOptions = CommonEmitOptions> {
  readonly name: string;
  emit(graph: Graph, options: O): Artifact;
}
