/**
 * `--weights FILE`: the CLI edge of the importer. Opens the checkpoint, compiles the spec, maps the
 * checkpoint onto the graph by its naming convention, and, with --match-weights, recompiles the spec with the
 * padding and BN epsilon the convention implies (torchvision's EfficientNet: symmetric, 1e-5). Prints the
 * spec's and the mapping's diagnostics once, at the spec's rows; the caller writes nothing unless the mapping
 * is complete.
 */
import { CheckpointError } from '../checkpoint/checkpoint.js';
import { openCheckpointPath, type OpenedCheckpoint } from '../checkpoint/open-checkpoint.js';
import { hasErrors } from '../diagnostics/diagnostic.js';
import { formatDiagnostics } from '../diagnostics/format.js';
import { compile, type Compilation, type CompileOptions } from '../pipeline.js';
import type { WeightSource } from '../../backends/weight-source.js';
import { checkpointWeights } from '../weights/checkpoint-weights.js';
import { mapCheckpoint, type WeightsMapping } from '../weights/map-checkpoint.js';
import { UsageError, type Io } from './io.js';
import { readSpec } from './load-spec.js';
import { inputName } from './read-input.js';

export interface WeightsFlags {
  /** A checkpoint path. */
  readonly path: string;
  /** --weights-convention. */
  readonly convention?: string;
  /** --match-weights. */
  readonly match?: boolean;
}

export interface WithWeights {
  readonly compilation: Compilation;
  /** 0 when the spec compiled and the checkpoint mapped; else the exit code. */
  readonly exitCode: number;
  readonly mapping?: WeightsMapping;
  readonly weights?: WeightSource;
  readonly checkpoint: OpenedCheckpoint;
}

/** Codes whose cause is the command line: exit 2 (as load-spec's). */
const usageCodes = new Set(['E0309', 'E0505']);

export async function openWeights(path: string): Promise<OpenedCheckpoint> {
  try {
    return await openCheckpointPath(path);
  } catch (e) {
    if (e instanceof CheckpointError) throw new UsageError(`cannot read the checkpoint ${e.message}`);
    throw e;
  }
}

/** Compiles `file` and maps the opened checkpoint onto it; the caller closes the checkpoint. */
export function compileWithWeights(file: string, options: CompileOptions, checkpoint: OpenedCheckpoint, flags: WeightsFlags, io: Io): WithWeights {
  const bytes = readSpec(file);
  const name = inputName(file);
  let compilation = compile(name, bytes, options);
  let mapping: WeightsMapping | undefined;
  if (compilation.graph) {
    mapping = mapCheckpoint(compilation.graph, checkpoint, flags.convention ? { convention: flags.convention } : {});
    const n = mapping.convention?.numerics;
    const spec = compilation.scaled!;
    if (flags.match && n && (spec.padding !== n.padding || (spec.norm && spec.norm.eps !== n.bnEps))) {
      // The spec as the checkpoint's builder built it; the user asked for exactly this.
      compilation = compile(name, bytes, { ...options, overrides: { ...options.overrides, padding: n.padding, ...(spec.norm ? { bnEps: n.bnEps } : {}) } });
      if (compilation.graph) mapping = mapCheckpoint(compilation.graph, checkpoint, flags.convention ? { convention: flags.convention } : {});
      io.err(`note: --match-weights: ${n.who} pads ${n.padding === 'symmetric' ? 'symmetrically' : "'same'"} with BN eps ${n.bnEps < 1e-3 ? n.bnEps.toExponential() : n.bnEps}; the spec is compiled so`);
    }
  }
  const diagnostics = [...compilation.diagnostics, ...(compilation.graph ? mapping?.diagnostics ?? [] : [])];
  if (diagnostics.length) io.err(formatDiagnostics(diagnostics, compilation.file, { color: io.color, truncated: compilation.diagnosticsDropped ?? 0 }) + '\n');
  if (hasErrors(compilation.diagnostics)) {
    const usage = compilation.diagnostics.some((d) => d.severity === 'error' && usageCodes.has(d.code));
    return { compilation, exitCode: usage ? 2 : 1, checkpoint };
  }
  if (!mapping || hasErrors(mapping.diagnostics)) return { compilation, exitCode: 1, ...(mapping ? { mapping } : {}), checkpoint };
  const c = mapping.convention!;
  const description = `${checkpoint.path} (${c.name}${c.layout ? ` ${c.layout}` : ''} names)`;
  return { compilation, exitCode: 0, mapping, weights: checkpointWeights(mapping, description), checkpoint };
}
