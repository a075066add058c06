/**
 * Whatever the input, the compiler answers with diagnostics (each rendered with a caret) or a report; it
 * never throws. Inputs: random token soup, and real specs with random edits.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDiagnostics } from '../../src/diagnostics/format.js';
import { compile, type CompileOptions } from '../../src/pipeline.js';
import { repoRoot } from '../helpers.js';

const specs = readdirSync(path.join(repoRoot, 'specs')).map((f) => readFileSync(path.join(repoRoot, 'specs', f), 'utf8'));

const words = ['model', 'm', '{', '}', '\n', 'input', '224x224x3', '32x32x3', 'classes', '10', 'stages', 'stem', 'head', 'classifier',
  'variants', 'scaling', 'conv', 'mbconv', 'dwsep', 'basic', 'bottleneck', 'maxpool', 'gap', 'dense', 'fused_mbconv', 'dwconv',
  'channels', 'kernel', 'stride', 'expand', 'se', '0.25', '1', '2', '3', '0', '-1', '-', ',', 'act', 'swish', 'relu6', 'width', 'depth',
  'resolution', 'phi', 'repeats', '2,2', '#c', 'dropout', '0.2', 'groups', 'pad', 'valid', '1e-3', '99999', ';', '\u00e9', '\t', '\u202e', '\u4e2d', '\u{1f600}'];

function checkNeverThrows(text: string | Uint8Array, options: CompileOptions = {}) {
  const c = compile('fuzz.effnet', text, options);
  // Rendered without colour, a diagnostic holds no control character but newlines: nothing the spec held can
  // reach a terminal as an escape sequence.
  expect(formatDiagnostics(c.diagnostics, c.file)).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
  const errors = c.diagnostics.some((d) => d.severity === 'error');
  expect(errors || c.report !== undefined).toBe(true);
  for (const d of c.diagnostics) {
    expect(d.span.start).toBeGreaterThanOrEqual(0);
    expect(d.span.end).toBeLessThanOrEqual(c.file.text.length);
  }
}

describe('the compiler never throws', () => {
  it('on random token sequences', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...words), { maxLength: 80 }), (tokens) => checkNeverThrows(tokens.join(' '))), { numRuns: 400 });
  });

  it('on real specs with random edits', () => {
    const edit = fc.record({ spec: fc.nat(specs.length - 1), at: fc.nat(), cut: fc.nat(12), insert: fc.constantFrom('', ...words) });
    fc.assert(fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
      let text = specs[edits[0]!.spec]!;
      for (const e of edits) {
        const at = e.at % (text.length + 1);
        text = text.slice(0, at) + e.insert + text.slice(at + e.cut);
      }
      checkNeverThrows(text);
    }), { numRuns: 300 });
  });

  it('on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => checkNeverThrows(bytes)), { numRuns: 200 });
  });

  it('under random scaling requests', () => {
    const req = fc.record({ width: fc.double({ min: 0.05, max: 4, noNaN: true }), depth: fc.double({ min: 0.05, max: 4, noNaN: true }), resolution: fc.double({ min: 0.01, max: 3, noNaN: true }) });
    fc.assert(fc.property(fc.nat(specs.length - 1), req, (i, scaling) => checkNeverThrows(specs[i]!, { scaling })), { numRuns: 60 });
  });
});
