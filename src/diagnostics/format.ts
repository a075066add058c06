import { lineColOf, lineText, type SourceFile } from '../source/source-file.js';
import type { Diagnostic } from './diagnostic.js';

export interface FormatOptions {
  /** ANSI colour; the CLI turns it on only for a TTY without NO_COLOR. */
  readonly color?: boolean;
}

const paint = (on: boolean, code: string, s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);

// Control characters from a spec (ESC, BEL, ...) must not reach the terminal as escape sequences, nor
// bidirectional overrides and invisible format characters reorder or hide what it shows.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
/** In messages: visible escapes such as \x1b or \u202e. */
const escapeControls = (s: string) => s.replace(CONTROL, (c) => {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
});
/** In the quoted source line: one replacement character each, so the caret stays aligned. */
const maskControls = (s: string) => s.replace(CONTROL, '\uFFFD');

// Terminal columns of a character: 2 for East Asian wide and fullwidth forms and emoji, 0 for combining marks.
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|\p{Extended_Pictographic}/u;
const columnsOf = (ch: string) => (/\p{Mn}/u.test(ch) ? 0 : WIDE.test(ch) ? 2 : 1);
/** The text as blanks of the same screen width, tabs kept: what goes before the caret. */
const blankedOut = (s: string) => Array.from(s, (ch) => (ch === '\t' ? '\t' : ' '.repeat(columnsOf(ch)))).join('');
const columns = (s: string) => Array.from(s).reduce((n, ch) => n + columnsOf(ch), 0);

/**
 * Renders a diagnostic the way compilers people know do:
 *
 *   specs/x.effnet:14:29: error[E0306]: stride must be a positive integer, got 0
 *     14 |   mbconv 2 24 3 0
 *        |                 ^
 *     hint: ...
 */
export function formatDiagnostic(d: Diagnostic, file: SourceFile, options: FormatOptions = {}): string {
  const color = options.color ?? false;
  const start = lineColOf(file, d.span.start);
  const end = lineColOf(file, Math.max(d.span.start, d.span.end - 1));
  const sev = d.severity === 'error' ? paint(color, '1;31', 'error') : paint(color, '1;33', 'warning');
  const head = `${file.name}:${start.line}:${start.col}: ${sev}[${d.code}]: ${escapeControls(d.message)}`;
  const text = maskControls(lineText(file, start.line));
  const gutter = String(start.line);
  const pad = ' '.repeat(gutter.length);
  // Underline to the end of the span, or to the end of its first line when it runs on.
  const lastCol = end.line === start.line ? end.col : Math.max(start.col, text.length);
  const under = text.slice(start.col - 1, lastCol);
  const width = d.span.end > d.span.start ? Math.max(1, columns(under)) : 1;
  const caretLead = blankedOut(text.slice(0, start.col - 1));
  const lines = [
    head,
    `  ${gutter} | ${text}`,
    `  ${pad} | ${caretLead}${paint(color, '1;31', '^'.repeat(width))}`,
  ];
  if (d.hint) lines.push(`  ${pad} = hint: ${escapeControls(d.hint)}`);
  return lines.join('\n');
}

export function formatDiagnostics(ds: readonly Diagnostic[], file: SourceFile, options: FormatOptions = {}): string {
  return ds.map((d) => formatDiagnostic(d, file, options)).join('\n\n');
}
