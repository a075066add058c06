/** Small text outputs (an HTML report, an SVG plot, a spec) go through the same writer as models. */
import type { Io } from '../io.js';
import { writeArtifact, type WriteResult } from './write-artifact.js';

export interface TextOutputOptions {
  /** Paths the command reads: the output may not be one of them. */
  readonly inputs?: readonly string[];
  /** For '-o -'. */
  readonly io?: Io;
}

export function writeTextOutput(path: string, text: string, options: TextOutputOptions = {}): Promise<WriteResult> {
  const bytes = new TextEncoder().encode(text);
  return writeArtifact({ layout: 'file', summary: {}, files: [{ path: '', chunks: () => [bytes] }] }, path, {
    ...(options.inputs ? { inputs: options.inputs } : {}),
    ...(options.io?.writeBytes ? { stdout: options.io.writeBytes } : {}),
  });
}
