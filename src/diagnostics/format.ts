import { lineColOf, lineText, type SourceFile } from '../source/source-file.js';
import { escapeControls, maskControls } from './control-characters.js';
import { MAX_DIAGNOSTICS, type Diagnostic } from './diagnostic.js';

export interface FormatOptions {
  /** ANSI colour; the CLI turns it on only for a TTY without NO_COLOR. */
  readonly color?: boolean;
  /** Said under every diagnostic: which of several compilations of one file it comes from ("at input 31x31"). */
  readonly note?: string;
}

const paint = (on: boolean, code: string, s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);

// Terminal columns of a character: 2 for East Asian wide and fullwidth forms and emoji, 0 for combining marks.
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|\p{Extended_Pictographic}/u;
const columnsOf = (ch: string) => (/\p{Mn}/u.test(ch) ? 0 : WIDE.test(ch) ? 2 : 1);
/** The text as blanks of the same screen width, tabs kept: what goes before the caret. */
const blankedOut = (s: string) => Array.from(s, (ch) => (ch === '\t' ? '\t' : ' '.repeat(columnsOf(ch)))).join('');
const columns = (s: string) => Array.from(s).reduce((n, ch) => n + columnsOf(ch), 0);

/** Columns of a source line quoted around the caret; a longer line (minified text) is cut to a window. */
export const QUOTE_COLUMNS = 200;
/** Diagnostics printed in one run; the rest are counted in one line (as tsc and rustc do). */
export const MAX_PRINTED = 100;

/**
 * The part of a line to quote: all of it when short, else a window of about QUOTE_COLUMNS around the caret,
 * cut marks included. `from`, `to` are UTF-16 offsets into the line; `caret` is where the caret's slice starts.
 */
function window(text: string, caret: number): { quoted: string; lead: string } {
  if (columns(text) <= QUOTE_COLUMNS) return { quoted: text, lead: text.slice(0, caret) };
  const chars = Array.from(text);
  // Index of the caret in code points.
  const at = Array.from(text.slice(0, caret)).length;
  const from = Math.max(0, at - 60);
  const to = Math.min(chars.length, from + QUOTE_COLUMNS - 2);
  const head = from > 0 ? '…' : '';
  const tail = to < chars.length ? '…' : '';
  return { quoted: head + chars.slice(from, to).join('') + tail, lead: head + chars.slice(from, at).join('') };
}

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
  const head = `${escapeControls(file.name)}:${start.line}:${start.col}: ${sev}[${d.code}]: ${escapeControls(d.message)}`;
  const full = lineText(file, start.line);
  const gutter = String(start.line);
  const pad = ' '.repeat(gutter.length);
  // Underline to the end of the span, or to the end of its first line when it runs on.
  const lastCol = end.line === start.line ? end.col : Math.max(start.col, full.length);
  const under = full.slice(start.col - 1, lastCol);
  const { quoted, lead } = window(full, start.col - 1);
  const room = QUOTE_COLUMNS - columns(lead);
  const width = d.span.end > d.span.start ? Math.max(1, Math.min(columns(under), Math.max(1, room))) : 1;
  const lines = [
    head,
    `  ${gutter} | ${maskControls(quoted)}`,
    `  ${pad} | ${blankedOut(maskControls(lead))}${paint(color, '1;31', '^'.repeat(width))}`,
  ];
  if (d.hint) lines.push(`  ${pad} = hint: ${escapeControls(d.hint)}`);
  if (options.note) lines.push(`  ${pad} = note: ${escapeControls(options.note)}`);
  return lines.join('\n');
}

/** At most MAX_PRINTED diagnostics, then one line counting the rest. */
export function formatDiagnostics(ds: readonly Diagnostic[], file: SourceFile, options: FormatOptions & { truncated?: number } = {}): string {
  const shown = ds.slice(0, MAX_PRINTED).map((d) => formatDiagnostic(d, file, options));
  const rest = ds.length - shown.length + (options.truncated ?? 0);
  if (rest > 0) {
    const errors = ds.slice(MAX_PRINTED).filter((d) => d.severity === 'error').length + (options.truncated ?? 0);
    const warnings = rest - errors;
    const parts = [errors ? `${errors.toLocaleString('en-US')} more error${errors === 1 ? '' : 's'}` : '', warnings ? `${warnings.toLocaleString('en-US')} more warning${warnings === 1 ? '' : 's'}` : ''].filter(Boolean);
    shown.push(`${escapeControls(file.name)}: ${parts.join(' and ')} not shown (--json lists up to ${MAX_DIAGNOSTICS.toLocaleString('en-US')})`);
  }
  return shown.join('\n\n');
}
