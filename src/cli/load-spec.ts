/** Reads a spec from disk and runs the front end, printing diagnostics: the CLI's only way into the pipeline. */
import { formatDiagnostics } from '../diagnostics/format.js';
import { hasErrors } from '../diagnostics/diagnostic.js';
import { compile, type Compilation, type CompileOptions } from '../pipeline.js';
import { type Io } from './io.js';
import { inputName, readInput, SPEC_LIMIT } from './read-input.js';

/** Codes whose cause is the command line rather than the file: they exit 2. */
const usageCodes = new Set(['E0309', 'E0505']);

/** A spec's bytes: a file, a pipe, or standard input as '-', at most SPEC_LIMIT of them. */
export function readSpec(path: string): Uint8Array {
  return readInput(path, SPEC_LIMIT, 'spec');
}

export interface Loaded {
  readonly compilation: Compilation;
  /** 0 when the model compiled; else the exit code to return. */
  readonly exitCode: number;
}

/** `note` goes under each diagnostic printed, when one file is compiled several ways (--resolutions). */
export function loadSpec(path: string, options: CompileOptions, io: Io, note?: string): Loaded {
  const compilation = compile(inputName(path), readSpec(path), options);
  if (compilation.diagnostics.length > 0) io.err(formatDiagnostics(compilation.diagnostics, compilation.file, { color: io.color, truncated: compilation.diagnosticsDropped ?? 0, ...(note ? { note } : {}) }) + (note ? '\n\n' : '\n'));
  if (!hasErrors(compilation.diagnostics)) return { compilation, exitCode: 0 };
  const usage = compilation.diagnostics.some((d) => d.severity === 'error' && usageCodes.has(d.code));
  return { compilation, exitCode: usage ? 2 : 1 };
}
