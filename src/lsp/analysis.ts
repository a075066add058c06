/** One open document compiled: what every request about it reads. */
import { compile, type Compilation } from '../pipeline.js';
import { positionMap, type PositionMap } from './positions.js';

export interface Analysis {
  readonly compilation: Compilation;
  readonly positions: PositionMap;
}

/** A document's file name for diagnostics: its path for a file: URI, else the URI itself (an unsaved buffer). */
export function documentName(uri: string): string {
  if (!uri.startsWith('file://')) return uri;
  try {
    return decodeURIComponent(new URL(uri).pathname);
  } catch {
    return uri;
  }
}

/** Compiles an editor's text with the same pipeline as `effnet check`, as written (no variant, no scaling). */
export function analyze(uri: string, text: string): Analysis {
  const compilation = compile(documentName(uri), text);
  return { compilation, positions: positionMap(compilation.file, text) };
}
