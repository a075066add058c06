import { diagnostic, type Diagnostic, type StageResult } from '../diagnostics/diagnostic.js';
import { makeSourceFile, type SourceFile } from './source-file.js';

/**
 * Index of the first byte that breaks UTF-8 (or is NUL, which no text spec contains), else -1. Strict, as
 * RFC 3629 defines it: overlong forms (C0 80, E0 80 AF), UTF-16 surrogates (ED A0 80) and code points past
 * U+10FFFF (F4 90 80 80) are errors, where TextDecoder would quietly turn them into U+FFFD.
 */
export function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b === 0) return i;
    if (b < 0x80) { i++; continue; }
    let len: number;
    // The allowed range of the second byte depends on the first (the table in RFC 3629, section 4).
    let lo = 0x80, hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) len = 2;
    else if (b >= 0xe0 && b <= 0xef) { len = 3; if (b === 0xe0) lo = 0xa0; if (b === 0xed) hi = 0x9f; }
    else if (b >= 0xf0 && b <= 0xf4) { len = 4; if (b === 0xf0) lo = 0x90; if (b === 0xf4) hi = 0x8f; }
    else return i;
    if (i + len > bytes.length) return i;
    const second = bytes[i + 1]!;
    if (second < lo || second > hi) return i;
    for (let k = 2; k < len; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
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
    // The sequence its first byte announces, as far as its continuation bytes go (one byte for NUL or a
    // byte that starts none).
    const lead = bytes[bad]!;
    const length = lead >= 0xf0 && lead <= 0xf4 ? 4 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xc2 && lead <= 0xdf ? 2 : 1;
    let end = bad + 1;
    while (end < bad + length && end < bytes.length && (bytes[end]! & 0xc0) === 0x80) end++;
    const shown = Array.from(bytes.subarray(bad, end), (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
    const d: Diagnostic = diagnostic('E0102', { file: name, start: prefix.length, end: prefix.length + 1 }, { bytes: shown });
    return { file, diagnostics: [d] };
  }
  let text = new TextDecoder('utf-8').decode(bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const file = makeSourceFile(name, text);
  if (text.trim() === '') return { file, diagnostics: [diagnostic('E0103', { file: name, start: 0, end: 0 }, {})] };
  return { file, value: file, diagnostics: [] };
}
