/**
 * No position of any shipped spec, and no half-typed prefix of one, makes a language-server function throw:
 * what an editor sends while someone types is mostly text that does not parse.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/lsp/analysis.js';
import { completionsAt } from '../../src/lsp/completion.js';
import { definitionAt } from '../../src/lsp/definition.js';
import { toLspDiagnostics } from '../../src/lsp/diagnostics-to-lsp.js';
import { formatDocument } from '../../src/lsp/formatting.js';
import { hoverAt } from '../../src/lsp/hover.js';
import { repoRoot } from '../helpers.js';
import { specText } from './lsp-helpers.js';

const specs = readdirSync(`${repoRoot}/specs`).filter((f) => f.endsWith('.effnet'));

describe('the language-server functions never throw', () => {
  it.each(specs)('at every offset of %s', (name) => {
    const text = specText(name);
    const a = analyze(`file:///specs/${name}`, text);
    expect(a.compilation.report, name).toBeDefined();
    let hovers = 0;
    for (let offset = 0; offset <= text.length; offset++) {
      if (hoverAt(a.compilation, offset)) hovers++;
      definitionAt(a.compilation.parsed!.ast, offset);
      completionsAt(text, offset);
    }
    // Most of a spec is rows, options and names: a hover that answers nowhere is broken, not robust.
    expect(hovers).toBeGreaterThan(text.length / 10);
  });

  it.each(specs)('on 40 prefixes of %s, as it is typed', (name) => {
    const text = specText(name);
    for (let k = 1; k <= 40; k++) {
      const prefix = text.slice(0, Math.round((text.length * k) / 40));
      const a = analyze('untitled:typing', prefix);
      const ds = toLspDiagnostics(a.compilation.diagnostics, a.positions);
      if (k < 40) expect(ds.length, `prefix ${k}/40`).toBeGreaterThan(0);
      hoverAt(a.compilation, prefix.length - 1);
      completionsAt(prefix, prefix.length);
      formatDocument('t.effnet', prefix);
    }
  });
});
