/** `effnet N`: the language version a spec states. The current one changes nothing; a newer one is the only thing said. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LANGUAGE_VERSION } from '../../src/ir/language-version.js';
import { compile } from '../../src/pipeline.js';
import { specPath } from '../helpers.js';

const b0 = readFileSync(specPath('efficientnet-b0.effnet'), 'utf8');
const stating = (version: string, text = b0) => text.replace(/^model ([\w-]+) \{\n/m, (m) => `${m}  effnet ${version}\n`);

describe('the language version', () => {
  it(`reads ${LANGUAGE_VERSION}`, () => expect(LANGUAGE_VERSION).toBe(1));

  it('a spec stating the current version compiles to the same network as one stating none', () => {
    const stated = compile('b0.effnet', stating('1'));
    expect(stated.diagnostics).toEqual([]);
    expect(stated.report!.total).toEqual(compile('b0.effnet', b0).report!.total);
  });

  it.each([
    ['a newer version, whatever follows', stating('2', b0.replace('stages {', 'stages {\n    attention 2 64 - 1 heads 8')), ['E0337']],
    ['version 0', stating('0'), ['E0306']],
    ['a fraction', stating('1.5'), ['E0306']],
  ])('%s: %j', (_what, text, codes) => {
    expect(compile('b0.effnet', text).diagnostics.map((d) => d.code)).toEqual(codes);
  });
});
