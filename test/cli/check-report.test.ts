/** `effnet check` and `effnet report`: outputs, formats and exit codes (0 ok, 1 spec error, 2 usage). */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { version } from '../../src/version.js';
import { repoRoot } from '../helpers.js';
import { cli } from './run-cli.js';

const b0 = 'specs/efficientnet-b0.effnet';
const bad = 'test/diagnostics/cases/unknown-operator.effnet';

describe('exit codes', () => {
  it.each([
    ['a valid spec', ['check', b0], 0],
    ['every spec in specs/', ['check', 'specs/efficientnet-b0.effnet', 'specs/mobilenet-v1.effnet', 'specs/mobilenet-v2.effnet', 'specs/resnet.effnet'], 0],
    ['a spec with errors', ['check', bad], 1],
    ['one bad file among good ones', ['check', b0, bad], 1],
    ['a missing file', ['check', 'no/such.effnet'], 2],
    ['an unknown command', ['frobnicate'], 2],
    ['an unknown flag', ['report', b0, '--frobnicate'], 2],
    ['a bad --format', ['report', b0, '--format', 'xml'], 2],
    ['an unknown variant (a command-line mistake)', ['report', b0, '--variant', 'b9'], 2],
    ['a bad --phi', ['report', b0, '--phi', 'three'], 2],
    ['an empty --phi', ['report', b0, '--phi', ''], 2],
    ['--alpha below 1 (a flag, so a usage error)', ['report', b0, '--phi', '1', '--alpha', '0.9'], 2],
    ['a fractional --input-size', ['report', b0, '--input-size', '31.5'], 2],
    ['--json with another --format', ['report', b0, '--json', '--format', 'csv'], 2],
    ['fmt --check with --write', ['fmt', '--check', '--write', b0], 2],
    ['grid evaluation flags without --eval', ['grid', b0, '--minimize'], 2],
    ['no arguments', [], 2],
    ['--help', ['--help'], 0],
  ] as const)('%s → %i', async (_what, argv, code) => {
    const r = await cli(...argv);
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)/); // never a stack trace
  });
});

describe('--json on a usage error', () => {
  it.each([
    ['a missing file', ['report', 'no/such.effnet', '--json'], 'cannot read no/such.effnet: no such file'],
    ['an unknown flag', ['report', b0, '--bogus', '--json'], "unknown option '--bogus'"],
    ['a bad opset', ['compile', b0, '--opset', '12', '-o', 'x.onnx', '--json'], 'unsupported opset'],
  ])('%s: a JSON document on stdout, exit 2', async (_what, argv, error) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ schemaVersion: 1, ok: false, exitCode: 2 });
    expect(doc.error).toContain(error);
  });
});

describe('--help', () => {
  it.each([[], ['check'], ['report'], ['scale'], ['grid'], ['compile'], ['run'], ['fmt'], ['import'], ['export']])('effnet %s --help shows a worked example', async (...cmd) => {
    const r = await cli(...cmd, '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Examples?( \(.*\))?:\n  \$ effnet /);
  });
});

describe('check', () => {
  it('prints file:line:col, the source line, a caret and a hint', async () => {
    const r = await cli('check', bad);
    expect(r.stderr).toContain(`${bad}:6:5: error[E0301]: unknown operator 'mbconf'`);
    expect(r.stderr).toContain('    mbconf 2 24 3 2 expand 6');
    expect(r.stderr).toContain('^^^^^^');
    expect(r.stderr).toContain("hint: did you mean 'mbconv'?");
    expect(r.stdout).toBe('');
  });
});

describe('report', () => {
  it('table: totals with separators and units, and the FLOPs convention', async () => {
    const r = await cli('report', b0);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Params:        5,288,548 (5.29 M)');
    expect(r.stdout).toContain('MACs:          385,814,752 (0.386 G)');
    expect(r.stdout).toContain('FLOPs = 2 x MACs');
    // Shares per stage, as torchinfo and ptflops give them: the classifier holds a quarter of B0's params.
    expect(r.stdout).toMatch(/classifier +dropout 0\.2 \+ dense 1000 +1 +1000 +1,281,000 +24\.2% +1\.28 M +0\.3%/);
  });

  it('json: a stable schema with a version', async () => {
    const r = await cli('report', b0, '--variant', 'b3', '--format', 'json', '--per-layer');
    const doc = JSON.parse(r.stdout);
    expect(doc.schemaVersion).toBe(1);
    expect(doc.variant).toBe('b3');
    expect(doc.input).toEqual([300, 300, 3]);
    expect(doc.totals.params).toBe(12_233_232);
    expect(doc.totals.flops).toBe(2 * doc.totals.macs);
    expect(doc.stages.map((s: { name: string }) => s.name)).toEqual(['stem', 'stage1', 'stage2', 'stage3', 'stage4', 'stage5', 'stage6', 'stage7', 'head', 'classifier']);
    expect(doc.layers.reduce((n: number, l: { params: number }) => n + l.params, 0)).toBe(12_233_232);
    // Each stage's and layer's share of the total, as fractions that add up to the whole.
    for (const rows of [doc.stages, doc.layers]) {
      for (const key of ['paramsShare', 'macsShare']) expect(rows.reduce((n: number, x: Record<string, number>) => n + x[key]!, 0)).toBeCloseTo(1, 9);
    }
    expect(doc.stages[9].paramsShare).toBeCloseTo(doc.stages[9].params / 12_233_232, 12);
    expect(doc.layers[0]).toMatchObject({ name: 'stem_conv', type: 'Conv2D 3x3/2', outputShape: [150, 150, 40] });
  });

  it('--json carries the warnings the model compiled with, and on failure says what failed and where', async () => {
    const warned = JSON.parse((await cli('report', b0, '--phi', '1', '--alpha', '1', '--json')).stdout);
    expect(warned.diagnostics).toMatchObject([{ code: 'W0502', severity: 'warning', line: 5 }]);
    expect(JSON.parse((await cli('report', b0, '--json')).stdout).diagnostics).toEqual([]);
    const r = await cli('report', bad, '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ schemaVersion: 1, ok: false, files: [{ file: bad, ok: false, diagnostics: [{ code: 'E0301', line: 6, column: 5 }] }] });
  });

  it('--per-block: one row per block, which add up to the totals', async () => {
    const table = (await cli('report', b0, '--per-block')).stdout;
    expect(table).toMatch(/block6b +stage6 +16 +7x7x192 +587,952 +11\.1% +23\.20 M +6\.0%/);
    const doc = JSON.parse((await cli('report', b0, '--per-block', '--json')).stdout);
    expect(doc.blocks.map((b: { name: string }) => b.name)).toEqual(['stem', 'block1a', 'block2a', 'block2b', 'block3a', 'block3b', 'block4a', 'block4b', 'block4c', 'block5a', 'block5b', 'block5c', 'block6a', 'block6b', 'block6c', 'block6d', 'block7a', 'top', 'classifier']);
    for (const key of ['params', 'bnStats', 'macs']) expect(doc.blocks.reduce((n: number, b: Record<string, number>) => n + b[key]!, 0)).toBe(doc.totals[key]);
    const csv = (await cli('report', b0, '--per-block', '--format', 'csv')).stdout.trim().split('\n');
    expect(csv[0]).toBe('block,stage,layers,output_shape,params,bn_stats,macs,other_ops,activations,params_share,macs_share');
    expect(csv).toHaveLength(20);
    expect((await cli('report', b0, '--per-block', '--per-layer')).code).toBe(2);
  });

  it('--json is --format json', async () => {
    expect((await cli('report', b0, '--json')).stdout).toBe((await cli('report', b0, '--format', 'json')).stdout);
  });

  it('csv: one row per stage and a total whose figures are exact', async () => {
    const rows = (await cli('report', 'specs/resnet.effnet', '--variant', 'resnet101', '--format', 'csv')).stdout.trim().split('\n');
    expect(rows[0]).toBe('stage,operator,blocks,output_shape,params,bn_stats,macs,other_ops,activations,params_share,macs_share');
    expect(rows.at(-1)).toMatch(/^total,,,,44549160,105344,7801405440,\d+,\d+,1,1$/);
  });

  it('markdown: a table with a total row', async () => {
    const md = (await cli('report', 'specs/mobilenet-v2.effnet', '--format', 'markdown')).stdout;
    expect(md).toContain('| stage | operator | blocks | output shape | params | params % | BN stats | MACs | MACs % |');
    expect(md).toContain('| **total** | | | | **3,504,872** | 100% | **34,112** | **300,774,272** | 100% |');
  });

  it('outputs carry no absolute paths', async () => {
    const r = await cli('report', b0, '--json');
    expect(r.stdout).not.toContain(repoRoot);
  });
});

describe('the installed bin', () => {
  const bin = path.join(repoRoot, 'bin/effnet.js');
  it('--version matches package.json', () => {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    expect(version).toBe(pkg.version);
    expect(execFileSync('node', [bin, '--version'], { cwd: repoRoot }).toString().trim()).toBe(pkg.version);
  });

  it('runs a report and exits 1 on a bad spec without a stack trace', () => {
    const ok = spawnSync('node', [bin, 'report', b0], { cwd: repoRoot, encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('5,288,548');
    const fail = spawnSync('node', [bin, 'check', bad], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(fail.status).toBe(1);
    expect(fail.stderr).toContain('error[E0301]');
    expect(fail.stderr).not.toContain('\x1b[');
  });
});

describe('check --json', () => {
  it('a missing file is listed and skipped: the files after it are still checked, and the exit code is 2', async () => {
    const r = await cli('check', 'no/such.effnet', b0, '--json');
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout);
    expect(doc.files[0]).toMatchObject({ file: 'no/such.effnet', ok: false, error: 'cannot read no/such.effnet: no such file' });
    expect(doc.files[1]).toMatchObject({ file: b0, ok: true, params: 5_288_548 });
  });

  it.each([
    ['every spec passes', [b0], true, 0],
    ['one spec fails', [b0, bad], false, 1],
    ['one file is missing', ['no/such.effnet', b0], false, 2],
  ])('a top-level ok: %s', async (_, files, ok, code) => {
    const r = await cli('check', ...files, '--json');
    expect(r.code).toBe(code);
    expect(JSON.parse(r.stdout).ok).toBe(ok);
  });

  it('lists each file with its diagnostics, positions and codes', async () => {
    const r = await cli('check', b0, bad, '--json');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.schemaVersion).toBe(1);
    expect(doc.files[0]).toMatchObject({ file: b0, ok: true, params: 5_288_548, diagnostics: [] });
    expect(doc.files[1]).toMatchObject({ file: bad, ok: false, diagnostics: [{ code: 'E0301', severity: 'error', line: 6, column: 5, endLine: 6, endColumn: 11, hint: "did you mean 'mbconv'?" }] });
  });
});
