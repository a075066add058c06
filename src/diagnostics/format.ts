import { lineColOf, lineText, type SourceFile } from '../source/source-file.js';
import type { Diagnostic } from './diagnostic.js';

export interface FormatOptions {
  /** ANSI colour; the CLI turns it on only for a TTY without NO_COLOR. */
  readonly color?: boolean;
}

const paint = (on: boolean, code: string, s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);

// Control characters from a spec (ESC, BEL, ...) must not reach the terminal as escape sequences.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
/** In messages: visible escapes such as \x1b. */
const escapeControls = (s: string) => s.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
/** In the quoted source line: one replacement character each, so the caret stays aligned. */
const maskControls = (s: string) => s.replace(CONTROL, '\uFFFD');

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
  const width = d.span.end > d.span.start ? Math.max(1, lastCol - start.col + 1) : 1;
  const caretLead = text.slice(0, start.col - 1).replace(/[^\t]/g, ' ');
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
