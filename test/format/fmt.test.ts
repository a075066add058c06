/** `effnet fmt`: canonical, idempotent, and it keeps every comment and the meaning of the file. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatSource } from '../../src/format/format-spec.js';
import { makeSourceFile } from '../../src/source/source-file.js';
import { parse } from '../../src/syntax/parse.js';
import { cli } from '../cli/run-cli.js';
import { repoRoot } from '../helpers.js';

const fmt = (text: string) => {
  const r = formatSource(makeSourceFile('x.effnet', text));
  if (r.value === undefined) throw new Error(r.diagnostics.map((d) => d.message).join('; '));
  return r.value;
};

/** The AST without positions: what the file means to the compiler. */
function meaning(text: string) {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => !/span$/i.test(k)).map(([k, x]) => [k, strip(x)]));
    return v;
  };
  const p = parse(makeSourceFile('x.effnet', text)).value!;
  return { ast: strip(p.ast), comments: p.comments.map((c) => c.image.trimEnd()) };
}

const specs = readdirSync(path.join(repoRoot, 'specs')).filter((f) => f.endsWith('.effnet')).map((f) => [f, readFileSync(path.join(repoRoot, 'specs', f), 'utf8')] as [string, string]);
const messy = readFileSync(path.join(repoRoot, 'test/format/messy.effnet'), 'utf8');

describe('fmt', () => {
  it.each(specs)('%s is in canonical form', (_name, text) => expect(fmt(text)).toBe(text));

  it('formats a messy file as the golden file shows', async () => {
    await expect(fmt(messy)).toMatchFileSnapshot(path.join(repoRoot, 'test/format/messy.formatted.effnet'));
  });

  it.each<[string, string]>([['messy.effnet', messy], ...specs])('keeps the meaning and every comment of %s', (_name, text) => {
    expect(meaning(fmt(text))).toEqual(meaning(text));
  });

  it('is idempotent on random specs with random layout and comments', () => {
    const ws = fc.constantFrom(' ', '  ', '\t', '   ');
    const nl = fc.constantFrom('\n', '\n\n', '\n\n\n', ' # note\n', '\n# own line\n');
    const num = fc.integer({ min: 1, max: 512 }).map(String);
    const row = fc.tuple(fc.constantFrom('conv', 'mbconv', 'dwsep', 'maxpool'), num, fc.oneof(num, fc.constant('-')), num, num, fc.option(fc.constantFrom('expand 6', 'se 0.25', 'act relu', 'expand 4 se 0.5'))).map((t) => t.filter((x) => x !== null));
    const spec = fc.record({
      settings: fc.array(fc.tuple(fc.constantFrom('input', 'classes', 'activation', 'padding'), fc.constantFrom('224x224x3', '10', 'swish', 'same')), { maxLength: 4 }),
      rows: fc.array(row, { minLength: 1, maxLength: 6 }),
      sep: fc.array(fc.tuple(ws, nl), { minLength: 40, maxLength: 40 }),
    }).map(({ settings, rows, sep }) => {
      let k = 0;
      const s = () => sep[k++ % sep.length]![0];
      const n = () => sep[k++ % sep.length]![1];
      return `model r {${n()}${settings.map(([a, b]) => `${s()}${a}${s()}${b}${n()}`).join('')}${s()}stages {${n()}${rows.map((r) => s() + r.join(s())).join(n())}${n()}}${n()}}\n`;
    });
    fc.assert(fc.property(spec, (text) => {
      const once = fmt(text);
      expect(fmt(once)).toBe(once);
      expect(meaning(once)).toEqual(meaning(text));
    }), { numRuns: 300 });
  });
});

describe('effnet fmt', () => {
  it('prints the canonical form', async () => {
    const r = await cli('fmt', 'specs/resnet.effnet');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(path.join(repoRoot, 'specs/resnet.effnet'), 'utf8'));
  });
  it('--check passes on formatted files and fails (exit 1) on others', async () => {
    expect((await cli('fmt', '--check', ...specs.map(([f]) => `specs/${f}`))).code).toBe(0);
    const r = await cli('fmt', '--check', 'test/format/messy.effnet');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('test/format/messy.effnet: not formatted');
    expect(r.stdout).toBe('');
  });
  it('refuses a file that does not parse, with diagnostics', async () => {
    const r = await cli('fmt', 'test/diagnostics/cases/syntax-error.effnet');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[E0201]');
  });
});
