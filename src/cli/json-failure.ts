/**
 * What a command asked for `--json` prints on stdout when a spec fails: the shape of `check --json`, so a
 * script reads failures from every command the same way.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnosticJson } from '../diagnostics/diagnostic-json.js';
import { REPORT_SCHEMA_VERSION } from '../report/format-report.js';
import type { SourceFile } from '../source/source-file.js';

export interface FailedFile {
  readonly file: string;
  readonly source: SourceFile;
  readonly diagnostics: readonly Diagnostic[];
  /** Diagnostics found past MAX_DIAGNOSTICS, not in the list. */
  readonly dropped?: number;
}

export function failureJson(files: readonly FailedFile[]): string {
  return JSON.stringify({
    schemaVersion: REPORT_SCHEMA_VERSION,
    ok: false,
    files: files.map((f) => ({ file: f.file, ok: false, diagnostics: f.diagnostics.map((d) => diagnosticJson(d, f.source)), ...(f.dropped ? { diagnosticsDropped: f.dropped } : {}) })),
  }, null, 2);
}
