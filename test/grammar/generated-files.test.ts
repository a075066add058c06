/** The committed syntax diagrams and CST types match the grammar (regenerate with `npm run grammar`). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedFiles } from '../../grammar/generated-artifacts.js';
import { repoRoot } from '../helpers.js';

describe('grammar/ generated files are in sync', () => {
  it.each(Object.keys(generatedFiles))('%s', (name) => {
    const committed = readFileSync(path.join(repoRoot, 'grammar', name), 'utf8');
    expect(committed, `grammar/${name} is stale: run npm run grammar`).toBe(generatedFiles[name as keyof typeof generatedFiles]());
  });

  it('the diagrams cover every rule', () => {
    const html = generatedFiles['diagrams.html']();
    for (const rule of ['model', 'stages', 'row', 'layer', 'variant', 'setting', 'namedOption', 'value']) expect(html).toContain(`"name": "${rule}"`);
  });
});
