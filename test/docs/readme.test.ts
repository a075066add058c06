/** The README documents every operator, option, setting and diagnostic code family the compiler knows. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { activations } from '../../src/ir/activations.js';
import { isActivationOp, statementOps } from '../../src/ir/block-ops.js';
import { functions } from '../../src/ir/expressions.js';
import { operatorNames, optionTypes } from '../../src/ir/ops.js';
import { formatSource } from '../../src/format/format-spec.js';
import { compile } from '../../src/pipeline.js';
import { makeSourceFile } from '../../src/source/source-file.js';
import { repoRoot } from '../helpers.js';

const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');

describe('README', () => {
  it.each(operatorNames)('documents operator %s', (op) => expect(readme).toContain(`\`${op}\``));
  it.each(Object.keys(optionTypes))('documents option %s', (opt) => expect(readme).toMatch(new RegExp(`\`${opt}[ \`]`)));
  it.each(activations)('documents activation %s', (act) => expect(readme).toContain(`\`${act}\``));
  // The statements table of user-defined blocks: one row per primitive, with every option it takes.
  const statementRows = readme.slice(readme.indexOf('| statement | what it builds |'));
  const primitives = Object.entries(statementOps).filter(([op]) => !isActivationOp(op));
  it.each(primitives)('documents block statement %s and its options', (op, def) => {
    const row = statementRows.split('\n').find((l) => l.startsWith('| ') && l.split('|')[1]!.includes(`\`${op}\``));
    expect(row, `a row for ${op}`).toBeDefined();
    for (const opt of Object.keys(def.options)) expect(row, `${op} ${opt}`).toContain(`\`${opt}`);
  });
  it.each(Object.keys(functions))('documents expression function %s', (fn) => expect(readme).toContain(`\`${fn}(`));
  it('shows the two commands of a fresh clone and the FLOPs convention', () => {
    expect(readme).toContain('npm ci && npx effnet report specs/efficientnet-b0.effnet');
    expect(readme).toContain('npm test');
    expect(readme).toContain('FLOPs = 2 x MACs');
  });
});

// The README's complete specs (a code block holding `model NAME {` ... `}`, not the grammar sketch) compile
// without a diagnostic and are already in the form `effnet fmt` prints.
const specBlocks = [...readme.matchAll(/```\n((?:#[^\n]*\n)*model [a-z][\w-]* \{\n[\s\S]*?\n\}\n)```/g)].map((m) => m[1]!);

describe('README specs', () => {
  it('has at least the front-page example', () => expect(specBlocks.length).toBeGreaterThan(0));
  it.each(specBlocks.map((s) => [s.match(/model ([\w-]+)/)![1]!, s]))('%s compiles cleanly and is canonical', (_name, text) => {
    const c = compile('README.effnet', text);
    expect(c.diagnostics).toEqual([]);
    expect(c.report).toBeDefined();
    expect(formatSource(makeSourceFile('README.effnet', text)).value).toBe(text);
  });
});

// Every link to a section of the README lands on a heading (GitHub's anchors: lower case, punctuation other
// than '-' and '_' dropped, spaces to '-').
describe('README links', () => {
  const anchor = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
  const headings = new Set([...readme.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1]!)));
  const links = [...new Set([...readme.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!))];
  it('has section links', () => expect(links.length).toBeGreaterThan(10));
  it.each(links)('#%s is a heading', (link) => expect(headings.has(link), `no heading for #${link}`).toBe(true));
});
