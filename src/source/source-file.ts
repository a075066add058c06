/** A spec's text with a line index, so spans can be turned into line:col for people. */
export interface SourceFile {
  /** The name diagnostics print: the path as the user gave it, never made absolute. */
  readonly name: string;
  readonly text: string;
  /** Offset where each line starts; lineStarts[0] is 0. */
  readonly lineStarts: readonly number[];
}

/** Lines end at LF, CRLF or a lone CR (old Mac files), as the lexer's Newline token does. */
export function makeSourceFile(name: string, text: string): SourceFile {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) lineStarts.push(i + 1);
  }
  return { name, text, lineStarts };
}

/** 1-based line and column of an offset (columns count UTF-16 units, as editors do). */
export function lineColOf(file: SourceFile, offset: number): { line: number; col: number } {
  let lo = 0;
  let hi = file.lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (file.lineStarts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, col: offset - file.lineStarts[lo]! + 1 };
}

/** The text of a 1-based line without its line terminator. */
export function lineText(file: SourceFile, line: number): string {
  const start = file.lineStarts[line - 1] ?? file.text.length;
  const next = file.lineStarts[line];
  const end = next === undefined ? file.text.length : next - 1;
  return file.text.slice(start, end).replace(/\r$/, '');
}
