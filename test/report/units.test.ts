/** Figures in the unit that fits: a small model never reads "0.000 G" and a small file never "0.0 MB". */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bytesText, count } from '../../src/report/units.js';
import { alignStageNames } from '../../src/report/stage-alignment.js';
import { cli } from '../cli/run-cli.js';

describe('count', () => {
  it.each([
    [385_814_752, '0.386 G'],
    [37_745_884_192, '37.746 G'],
    [100_000_000, '0.100 G'],
    [99_999_999, '100.0 M'],
    [999_999, '1.00 M'],
    [999_949, '999.9 K'],
    [10_312_345, '10.31 M'],
    [22_560, '22.56 K'],
    [864, '864'],
    [0, '0'],
  ])('%i -> %s', (n, text) => expect(count(n)).toBe(text));
});

describe('bytesText', () => {
  it.each([
    [1, '1 byte'],
    [412, '412 bytes'],
    [3_712, '3.7 kB'],
    [21_234_567, '21.2 MB'],
    [265_000_000, '265.0 MB'],
    [2_147_483_648, '2.15 GB'],
  ])('%i -> %s', (n, text) => expect(bytesText(n)).toBe(text));
});

describe('alignStageNames', () => {
  it.each([
    // a                                                         b                                                   merged
    [['stem', 'stage1', 'stage2', 'classifier'], ['stem', 'stage1', 'stage2', 'stage3', 'head', 'classifier'], ['stem', 'stage1', 'stage2', 'stage3', 'head', 'classifier']],
    [['stem', 'stage1', 'stage2', 'stage3', 'head', 'classifier'], ['stem', 'stage1', 'classifier'], ['stem', 'stage1', 'stage2', 'stage3', 'head', 'classifier']],
    [['stem', 'stem2', 'stage1'], ['stem', 'stage1', 'head'], ['stem', 'stem2', 'stage1', 'head']],
    [['stem', 'stage1'], ['stem', 'stage1'], ['stem', 'stage1']],
    [['a', 'b'], ['b', 'a'], ['a', 'b']],
  ])('%j beside %j', (a, b, merged) => expect(alignStageNames(a, b)).toEqual(merged));
});

describe('small models and files on the command line', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'effnet-units-'));
  const spec = path.join(dir, 'tiny.effnet');
  writeFileSync(spec, 'model tiny {\n  input 16x16x3\n  classes 4\n  stem conv channels 8 kernel 3 stride 2\n  stages {\n    mbconv 1 8 3 1 expand 1\n  }\n  classifier dropout 0\n}\n');

  it('check: K MACs, not 0.000 GMACs', async () => {
    const r = await cli('check', spec);
    expect(r.stderr).toContain('ok (436 params, 22.56 K MACs)');
  });

  it('compile: kB, not 0.0 MB', async () => {
    const r = await cli('compile', spec, '-o', path.join(dir, 'tiny.onnx'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/wrote .*tiny\.onnx \([\d.]+ kB, 412 params/);
  });

  it('report: the MACs line in K', async () => {
    const r = await cli('report', spec);
    expect(r.stdout).toContain('MACs:          22,560 (22.56 K)');
    expect(r.stdout).toContain('FLOPs:         45.12 K (FLOPs = 2 x MACs)');
  });
});
