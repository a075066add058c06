/** A diagnostic as the JSON outputs carry it: 1-based line and column of its span's start and end. */
import { lineColOf, type SourceFile } from '../source/source-file.js';
import type { Diagnostic } from './diagnostic.js';

export interface DiagnosticJson {
  readonly code: string;
  readonly severity: string;
  readonly message: string;
  readonly hint?: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export function diagnosticJson(d: Diagnostic, file: SourceFile): DiagnosticJson {
  const start = lineColOf(file, d.span.start);
  const end = lineColOf(file, d.span.end);
  return { code: d.code, severity: d.severity, message: d.message, ...(d.hint ? { hint: d.hint } : {}), line: start.line, column: start.col, endLine: end.line, endColumn: end.col };
}
