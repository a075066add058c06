import { DiagnosticSeverity } from 'vscode-languageserver';
import { describe, expect, it } from 'vitest';
import { diagnostic } from '../../src/diagnostics/diagnostic.js';
import { analyze } from '../../src/lsp/analysis.js';
import { toLspDiagnostic, toLspDiagnostics } from '../../src/lsp/diagnostics-to-lsp.js';
import { positionMap } from '../../src/lsp/positions.js';
import { makeSourceFile } from '../../src/source/source-file.js';

const bad = 'model m {\n  input 32x32x3\n  classes 10\n  stages {\n    mbcnv 1 16 3 1\n  }\n}\n';

describe('compiler diagnostics as LSP diagnostics', () => {
  it('publishes an unknown operator with its code, exact range, severity and hint', () => {
    const a = analyze('file:///tmp/bad.effnet', bad);
    const [d, ...rest] = toLspDiagnostics(a.compilation.diagnostics, a.positions);
    expect(rest).toEqual([]);
    // `effnet check` prints 5:5; LSP counts lines and characters from 0.
    expect(d).toEqual({
      range: { start: { line: 4, character: 4 }, end: { line: 4, character: 9 } },
      severity: DiagnosticSeverity.Error,
      code: 'E0301',
      source: 'effnet',
      message: "unknown operator 'mbcnv'\nhint: did you mean 'mbconv'?",
    });
  });

  it('keeps every diagnostic of a spec with several problems, each on its own line', () => {
    const text = bad.replace('mbcnv 1 16 3 1', 'mbcnv 1 16 3 1\n    dwcnv 1 - 3 1');
    const a = analyze('untitled:1', text);
    const ds = toLspDiagnostics(a.compilation.diagnostics, a.positions);
    expect(ds.map((d) => [d.code, d.range.start.line, d.range.start.character])).toEqual([['E0301', 4, 4], ['E0301', 5, 4]]);
  });

  it('maps warnings to Warning and leaves a hintless message as it is', () => {
    const file = makeSourceFile('t.effnet', 'conv kernel 7\n');
    const w = diagnostic('W0407', { file: 't.effnet', start: 5, end: 11 }, { kernel: 7, size: '4x4', layer: 'stem_conv' }, 'kernel');
    const d = toLspDiagnostic(w, positionMap(file, file.text));
    expect(d.severity).toBe(DiagnosticSeverity.Warning);
    expect(d.code).toBe('W0407');
    expect(d.message.startsWith(w.message)).toBe(true);
    expect(d.message.includes('hint: ')).toBe(Boolean(w.hint));
    expect(d.range).toEqual({ start: { line: 0, character: 5 }, end: { line: 0, character: 11 } });
  });

  it.each([
    ['an empty file', ''],
    ['blank lines', '   \n'],
    ['an unclosed model', 'model {'],
    ['control characters', '\u0000\u0001'],
    ['a stray parenthesis', 'model m { stages { ) } }'],
    ['10,000 letters', 'x'.repeat(10_000)],
  ])('reports %s without throwing', (_what, text) => {
    const a = analyze('untitled:x', text);
    expect(toLspDiagnostics(a.compilation.diagnostics, a.positions).length).toBeGreaterThan(0);
  });
});
