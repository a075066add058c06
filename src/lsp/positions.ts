/**
 * Offsets ↔ LSP positions. Spans are UTF-16 offsets into the compiled text and LSP positions are 0-based
 * lines and UTF-16 characters, so the two agree except for the line base and one detail: the compiler drops a
 * leading byte-order mark that the editor's text still has, which moves every offset on the first line.
 */
import type { Position, Range } from 'vscode-languageserver';
import { lineColOf, type SourceFile } from '../source/source-file.js';
import type { Span } from '../source/span.js';

/** How an editor's text lines up with the file the compiler read. */
export interface PositionMap {
  readonly file: SourceFile;
  /** 1 when the editor's text starts with a BOM the compiler left out, else 0. */
  readonly shift: number;
}

export function positionMap(file: SourceFile, editorText: string): PositionMap {
  return { file, shift: editorText.charCodeAt(0) === 0xfeff && file.text.charCodeAt(0) !== 0xfeff ? 1 : 0 };
}

export function offsetToPosition(map: PositionMap, offset: number): Position {
  const clamped = Math.max(0, Math.min(offset, map.file.text.length));
  const { line, col } = lineColOf(map.file, clamped);
  return { line: line - 1, character: col - 1 + (line === 1 ? map.shift : 0) };
}

/** The compiler's offset of an editor position; past a line's end it is the line's end, as editors clamp. */
export function positionToOffset(map: PositionMap, position: Position): number {
  const starts = map.file.lineStarts;
  if (position.line < 0) return 0;
  if (position.line >= starts.length) return map.file.text.length;
  const start = starts[position.line]!;
  const next = starts[position.line + 1];
  let end = next ?? map.file.text.length;
  // The line's text ends before its terminator: \n, \r\n or a lone \r.
  if (next !== undefined) {
    if (map.file.text[end - 1] === '\n') end--;
    if (map.file.text[end - 1] === '\r') end--;
  }
  const character = position.character - (position.line === 0 ? map.shift : 0);
  return start + Math.max(0, Math.min(character, end - start));
}

export function spanToRange(map: PositionMap, span: Span): Range {
  return { start: offsetToPosition(map, span.start), end: offsetToPosition(map, span.end) };
}
