/** The README documents every operator, option, setting and diagnostic code family the compiler knows. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { activations } from '../../src/ir/activations.js';
import { operatorNames, optionTypes } from '../../src/ir/ops.js';
import { repoRoot } from '../helpers.js';

const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');

describe('README', () => {
  it.each(operatorNames)('documents operator %s', (op) => expect(readme).toContain(`\`${op}\``));
  it.each(Object.keys(optionTypes))('documents option %s', (opt) => expect(readme).toMatch(new RegExp(`\`${opt}[ \`]`)));
  it.each(activations)('documents activation %s', (act) => expect(readme).toContain(`\`${act}\``));
  it('shows the two commands of a fresh clone and the FLOPs convention', () => {
    expect(readme).toContain('npm ci && npx effnet report specs/efficientnet-b0.effnet');
    expect(readme).toContain('npm test');
    expect(readme).toContain('FLOPs = 2 x MACs');
  });
});
