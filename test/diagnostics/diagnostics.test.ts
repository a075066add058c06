/**
 * Each file in cases/ is a small invalid spec; its rendered diagnostics are the golden file
 * baselines/<name>.errors.txt (accept a reviewed change with `npx vitest run -u`). Options for the run come
 * from `# @key: value` directives (variant, phi, width, depth, resolution). The table below pins the codes
 * each case must report, so a wording change cannot hide a lost diagnostic.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostics } from '../../src/diagnostics/format.js';
import { compile, type CompileOptions } from '../../src/pipeline.js';
import { repoRoot } from '../helpers.js';

const dir = path.join(repoRoot, 'test/diagnostics');

const expected: Record<string, string[]> = {
  'block-definitions': ['E0328', 'E0328', 'E0329', 'E0330', 'E0334'],
  'block-divide-by-zero': ['E0326'],
  'block-fraction': ['E0327'],
  'block-join-mismatch': ['E0407'],
  'block-names': ['E0323', 'E0324', 'E0325'],
  'block-row': ['E0314', 'E0336'],
  'block-wiring': ['E0331', 'E0332', 'E0333', 'E0333'],
  'control-characters': ['E0101', 'E0101'],
  'duplicate-option': ['E0311', 'E0305'],
  'empty-stage-table': ['E0308'],
  empty: ['E0103'],
  'groups-not-divisible': ['E0403'],
  'kernel-larger-than-map': ['E0401'],
  'language-version-form': ['E0306'],
  'missing-input': ['E0313', 'E0313'],
  'missing-stage-field': ['E0304', 'E0304'],
  'newer-language': ['E0337'],
  'non-positive-fields': ['E0306', 'E0306', 'E0306', 'E0306'],
  'not-utf8': ['E0102'],
  'se-ratio-out-of-range': ['E0307', 'E0307'],
  'spatial-below-one': ['E0402'],
  'stem-missing-kernel': ['E0335'],
  'syntax-error': ['E0201', 'E0201'],
  'unexpected-character': ['E0101'],
  'unknown-activation': ['E0303', 'E0303'],
  'unknown-operator': ['E0301'],
  'unknown-option': ['E0302', 'E0302'],
  'unknown-setting': ['E0310', 'E0313'],
  'unknown-variant': ['E0309'],
  'wide-characters': ['E0101', 'E0101', 'E0101'],
};

function directives(text: string): CompileOptions {
  const opts: Record<string, string> = {};
  for (const m of text.matchAll(/^# @(\w+): (.+)$/gm)) opts[m[1]!] = m[2]!.trim();
  const scaling: Record<string, number> = {};
  for (const k of ['phi', 'width', 'depth', 'resolution']) if (opts[k] !== undefined) scaling[k] = Number(opts[k]);
  return { ...(opts.variant ? { variant: opts.variant } : {}), ...(Object.keys(scaling).length ? { scaling } : {}) };
}

const cases = readdirSync(path.join(dir, 'cases')).filter((f) => f.endsWith('.effnet')).sort();

describe('diagnostics', () => {
  it('every case has an expectation and every expectation a case', () => {
    expect(cases.map((f) => f.replace(/\.effnet$/, '')).sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(cases)('%s', async (file) => {
    const name = file.replace(/\.effnet$/, '');
    const bytes = readFileSync(path.join(dir, 'cases', file));
    const c = compile(`cases/${file}`, bytes, directives(bytes.toString('latin1')));
    expect(c.diagnostics.map((d) => d.code)).toEqual(expected[name]);
    expect(c.report).toBeUndefined();
    await expect(formatDiagnostics(c.diagnostics, c.file) + '\n').toMatchFileSnapshot(path.join(dir, 'baselines', `${name}.errors.txt`));
  });
});
