/**
 * The compiler's diagnostics as LSP diagnostics: the same code, severity, message and exact span. The hint
 * goes on its own line of the message, since related information needs a location and a hint has none.
 */
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { spanToRange, type PositionMap } from './positions.js';

/** What editors show as the diagnostic's origin. */
export const DIAGNOSTIC_SOURCE = 'effnet';

/** An LSP diagnostic whose message is plain text (LSP 3.18 also allows markup; the compiler writes text). */
export type TextDiagnostic = LspDiagnostic & { readonly message: string };

export function toLspDiagnostic(d: Diagnostic, map: PositionMap): TextDiagnostic {
  return {
    range: spanToRange(map, d.span),
    severity: d.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    code: d.code,
    source: DIAGNOSTIC_SOURCE,
    message: d.hint ? `${d.message}\nhint: ${d.hint}` : d.message,
  };
}

export function toLspDiagnostics(ds: readonly Diagnostic[], map: PositionMap): TextDiagnostic[] {
  return ds.map((d) => toLspDiagnostic(d, map));
}
