import { diagnostic, type Diagnostic, type StageResult } from '../diagnostics/diagnostic.js';
import { makeSourceFile, type SourceFile } from './source-file.js';

/** Index of the first byte that breaks UTF-8 (or is NUL, which no text spec contains), else -1. */
function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b === 0) return i;
    if (b < 0x80) { i++; continue; }
    const len = b >= 0xf0 && b <= 0xf4 ? 4 : b >= 0xe0 ? (b <= 0xef ? 3 : 0) : b >= 0xc2 ? 2 : 0;
    if (len === 0 || i + len > bytes.length) return i;
    for (let k = 1; k < len; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += len;
  }
  return -1;
}

/**
 * Turns the bytes of a spec into a SourceFile, refusing binary and empty files with a diagnostic that
 * still points into the file (the caret lands on the first bad byte).
 */
export function decodeSource(name: string, bytes: Uint8Array): StageResult<SourceFile> & { file: SourceFile } {
  const bad = firstInvalidByte(bytes);
  if (bad >= 0) {
    const prefix = new TextDecoder('utf-8').decode(bytes.subarray(0, bad));
    const rest = new TextDecoder('utf-8').decode(bytes.subarray(bad, bad + 80)).replace(/[\u0000-\u0008\u000e-\u001f\ufffd]/g, '?');
    const file = makeSourceFile(name, prefix + rest.split('\n')[0]);
    const d: Diagnostic = diagnostic('E0102', { file: name, start: prefix.length, end: prefix.length + 1 }, {});
    return { file, diagnostics: [d] };
  }
  let text = new TextDecoder('utf-8').decode(bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const file = makeSourceFile(name, text);
  if (text.trim() === '') return { file, diagnostics: [diagnostic('E0103', { file: name, start: 0, end: 0 }, {})] };
  return { file, value: file, diagnostics: [] };
}
