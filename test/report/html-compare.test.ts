/**
 * The HTML report, the side-by-side comparison and the resolution sweep, as text, JSON and pages, and the
 * Markdown and CSV formats. How the pages look in a browser is test/report/pictures-in-chromium.test.ts.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../cli/run-cli.js';
import { compileSpec } from '../helpers.js';

const b0 = 'specs/efficientnet-b0.effnet';
const tmp = () => mkdtempSync(path.join(tmpdir(), 'effnet-html-'));

describe('report --html', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'effnet-html-'));
  const out = path.join(dir, 'b2.html');

  it('writes one self-contained page', async () => {
    const r = await cli('report', b0, '--variant', 'b2', '--html', out);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|src=|url\(/); // nothing loaded from anywhere
    expect(html).toContain('9,109,994');
    expect(html).toContain('993,561,872');
    const stages = html.slice(html.indexOf('<h2>Stages</h2>'), html.indexOf('<details class="section">'));
    expect(stages.match(/class="bar macs"/g)).toHaveLength(10);
    expect(html).toContain('Per layer (');
  });

  it('states the settings it was built with', () => {
    const html = readFileSync(out, 'utf8');
    const settings = html.slice(html.indexOf('<h2>Settings</h2>'), html.indexOf('<h2>Scaling</h2>'));
    for (const [k, v] of [
      ['activation', 'swish'],
      ['batch norm', "eps 0.001, momentum 0.99 (moving-average decay, as Keras; PyTorch's momentum 0.01)"],
      ['padding', 'same (TF/Keras: asymmetric at stride 2 on even sizes)'],
      ['drop_connect', '0.2 (stochastic depth in training: block i of N drops its branch with 0.2·i/N)'],
      ['classifier dropout', '0.3 (training only)'],
    ]) expect(settings).toContain(`<td>${k}</td><td>${v}</td>`);
  });

  it('labels what is counted in words, not JSON keys', () => {
    const html = readFileSync(out, 'utf8');
    const counted = html.slice(html.indexOf('<h2>What is counted</h2>'));
    for (const label of ['MACs', 'FLOPs', 'Parameters', 'BN statistics', 'Other operations', 'Activations', 'Not counted']) expect(counted).toContain(`<td>${label}</td>`);
    for (const key of ['bnStats', 'otherOps', 'notCounted']) expect(counted).not.toContain(key);
  });

  it('closes every stage of the per-layer table with a subtotal, with shares and bars', () => {
    const html = readFileSync(out, 'utf8');
    const perLayer = html.slice(html.indexOf('<details class="section">'), html.indexOf('<h2>What is counted</h2>'));
    const subtotals = [...perLayer.matchAll(/<tr class="subtotal"><td>(\w+) subtotal<\/td>/g)].map((m) => m[1]);
    expect(subtotals).toEqual(['stem', 'stage1', 'stage2', 'stage3', 'stage4', 'stage5', 'stage6', 'stage7', 'head', 'classifier']);
    expect(perLayer).toContain('<th class="n">params %</th>');
    expect(perLayer).toContain('<th class="n">MACs %</th>');
    // B2's stage6 subtotal: its params and MACs as in the stage table, with its share of each.
    expect(perLayer).toMatch(/<tr class="subtotal"><td>stage6 subtotal<\/td>.*<td class="n">[\d.]+%<\/td><td class="barcell"><div class="bar params"/);
    expect(perLayer.match(/class="bar macs"/g)!.length).toBeGreaterThan(100);
  });

});

describe('report A B', () => {
  it('puts two models side by side, stage by stage, with deltas', async () => {
    const r = await cli('report', 'specs/mobilenet-v2.effnet', b0, '--json');
    const doc = JSON.parse(r.stdout);
    expect(doc.models.map((m: { model: string }) => m.model)).toEqual(['mobilenet-v2', 'efficientnet-b0']);
    expect(doc.totals.delta.params).toBe(5_288_548 - 3_504_872);
    const stage6 = doc.stages.find((s: { name: string }) => s.name === 'stage6');
    expect(stage6.delta.params).toBe(stage6.b.params - stage6.a.params);
    const text = (await cli('report', 'specs/mobilenet-v2.effnet', '--compare', b0)).stdout;
    expect(text).toMatch(/total\s+3,504,872\s+5,288,548\s+\+1,783,676/);
  });

  it('orders the rows by position in the network: stages only one model has stay before its head and classifier', async () => {
    const doc = JSON.parse((await cli('report', 'specs/resnet.effnet', b0, '--json')).stdout);
    expect(doc.stages.map((s: { name: string }) => s.name)).toEqual(['stem', 'stage1', 'stage2', 'stage3', 'stage4', 'stage5', 'stage6', 'stage7', 'head', 'classifier']);
    const text = (await cli('report', 'specs/resnet.effnet', b0)).stdout;
    expect(text.split('\n').filter((l) => /^(stage\d|head|classifier)\s/.test(l)).map((l) => l.split(' ')[0])).toEqual(['stage1', 'stage2', 'stage3', 'stage4', 'stage5', 'stage6', 'stage7', 'head', 'classifier']);
  });

  it.each([
    ['report A B --html', (out: string) => ['report', 'specs/resnet.effnet', b0, '--html', out]],
    ['report A --compare B --html', (out: string) => ['report', 'specs/resnet.effnet', '--compare', b0, '--html', out]],
  ])('%s writes one page with both models', async (_title, args) => {
    const out = path.join(tmp(), 'compare.html');
    const r = await cli(...args(out));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const html = readFileSync(out, 'utf8');
    expect(html).not.toMatch(/<script|<link|src=|url\(/);
    expect(html).toContain('<h1>resnet vs efficientnet-b0</h1>');
    // Totals of both with the difference, and every stage once, in network order, with a dash where one has none.
    expect(html).toMatch(/<td>Params<\/td><td class="n">25,557,032<\/td><td class="n">5,288,548<\/td><td class="n minus">-20,268,484<\/td><td class="n">0.21x<\/td>/);
    const rows = [...html.matchAll(/<tr><td>(stem|stage\d|head|classifier)<\/td>/g)].map((m) => m[1]);
    expect(rows).toEqual(['stem', 'stage1', 'stage2', 'stage3', 'stage4', 'stage5', 'stage6', 'stage7', 'head', 'classifier']);
    expect(html).toMatch(/<tr><td>stage5<\/td><td class="muted">&ndash;<\/td><td>mbconv k5 e6 se0.25<br>/);
    // Both networks drawn, their anchors apart.
    expect(html).toContain('id="a-stage4"');
    expect(html).toContain('id="b-stage7"');
    expect(html).not.toContain('id="a-stage5"');
  });

  it('--json with --html prints the comparison and writes the page', async () => {
    const out = path.join(tmp(), 'compare.html');
    const r = await cli('report', 'specs/mobilenet-v2.effnet', b0, '--html', out, '--json');
    expect(JSON.parse(r.stdout).totals.delta.params).toBe(1_783_676);
    expect(existsSync(out)).toBe(true);
  });
});

describe('report --resolutions', () => {
  it('one row per input size; params fixed, MACs match a report at that size', async () => {
    const doc = JSON.parse((await cli('report', b0, '--resolutions', '160,224,320', '--json')).stdout);
    expect(doc.resolutions.map((r: { size: number }) => r.size)).toEqual([160, 224, 320]);
    for (const r of doc.resolutions) {
      expect(r.params).toBe(5_288_548);
      expect(r.macs).toBe(compileSpec('efficientnet-b0.effnet', { scaling: { inputSize: r.size } }).report.total.macs);
    }
    expect(doc.resolutions[1].macsRatio).toBeCloseTo(385_814_752 / doc.resolutions[0].macs, 6);
  });

  it('refuses a bad list', async () => {
    expect((await cli('report', b0, '--resolutions', '160,abc')).code).toBe(2);
  });

  it('says which input size each warning belongs to, on stderr and in JSON', async () => {
    const r = await cli('report', b0, '--resolutions', '31,17,224', '--json');
    expect(r.code).toBe(0);
    // Every printed warning ends with the size it was found at; 224 px compiles without one.
    const printed = r.stderr.split(/\n(?=specs\/)/).filter((d) => d.includes('warning['));
    expect(printed.length).toBeGreaterThan(0);
    for (const d of printed) expect(d).toMatch(/= note: at input (31x31|17x17) \(--resolutions 31,17,224\)$/m);
    expect(r.stderr).not.toContain('224x224');
    // The last warning at one size and the first at the next are apart, as two warnings at one size are.
    expect(r.stderr).toMatch(/\(--resolutions 31,17,224\)\n\nspecs\/[^\n]*\n[\s\S]*= note: at input 17x17/);
    expect(r.stderr).not.toMatch(/\(--resolutions 31,17,224\)\nspecs\//);
    const doc = JSON.parse(r.stdout);
    expect(doc.resolutions.map((x: { diagnostics: unknown[] }) => x.diagnostics.length > 0)).toEqual([true, true, false]);
    expect(doc.resolutions[0].diagnostics[0]).toMatchObject({ code: 'W0407', line: 19 });
  });

  it('--html draws the sizes on one page: a chart, the table, and the warnings under their size', async () => {
    const out = path.join(tmp(), 'sizes.html');
    const r = await cli('report', b0, '--resolutions', '31,160,224', '--html', out);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).not.toMatch(/<script|<link|src=|url\(/);
    expect(html).toContain('<h1>efficientnet-b0 at 3 input sizes</h1>');
    expect(html.match(/<svg /g)).toHaveLength(1);
    expect([...html.matchAll(/<tr><td>(\d+x\d+)<\/td><td class="n">5,288,548<\/td>/g)].map((m) => m[1])).toEqual(['31x31', '160x160', '224x224']);
    expect(html).toContain('<h3>at 31x31</h3>');
    expect(html).not.toContain('<h3>at 224x224</h3>');
  });

  it('sweeps a variant too: its width and depth, the listed sizes', async () => {
    const doc = JSON.parse((await cli('report', b0, '--variant', 'b3', '--resolutions', '224,300', '--json')).stdout);
    expect(doc.resolutions.map((r: { params: number; macs: number }) => [r.params, r.macs])).toEqual([
      [12_233_232, compileSpec('efficientnet-b0.effnet', { variant: 'b3', scaling: { inputSize: 224 } }).report.total.macs],
      [12_233_232, 1_827_141_392],
    ]);
  });
});

// A flag the chosen mode cannot honour is a usage error, never silently dropped.
describe('report flags that do not combine', () => {
  it.each([
    ['--per-layer with --compare', ['--compare', 'specs/mobilenet-v2.effnet', '--per-layer'], /--per-layer cannot be combined/],
    ['csv with --resolutions', ['--resolutions', '160,224', '--format', 'csv'], /prints a table or JSON, not csv/],
    ['a variant with --phi', ['--variant', 'b3', '--phi', '1'], /E0505/],
  ])('%s', async (_title, args, message) => {
    const r = await cli('report', b0, ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync('x.html')).toBe(false);
  });

  it('--html with --json writes the page and prints the JSON', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'effnet-html-')), 'b0.html');
    const r = await cli('report', b0, '--html', out, '--json');
    expect(JSON.parse(r.stdout).totals.params).toBe(5_288_548);
    expect(readFileSync(out, 'utf8')).toContain('5,288,548');
  });
});

describe('report --format markdown and csv', () => {
  it('markdown names what each share is of, and has BN statistics', async () => {
    const md = (await cli('report', b0, '--format', 'markdown')).stdout;
    expect(md).toContain('| stage | operator | blocks | output shape | params | params % | BN stats | MACs | MACs % |');
    expect(md).toContain('| stage6 | mbconv k5 s2 e6 se0.25 | 4 | 7x7x192 | 2,026,348 | 38.3% | 18,048 | 91,528,224 | 23.7% |');
    for (const flag of ['--per-layer', '--per-block']) {
      const header = (await cli('report', b0, '--format', 'markdown', flag)).stdout.split('\n').find((l) => l.startsWith('| '))!;
      expect(header.match(/\| % \|/g)).toBeNull();
      expect(header).toContain('| params % | BN stats | MACs | MACs % |');
    }
  });

  it('csv has the shares (fractions, as JSON) beside BN statistics', async () => {
    const csv = (await cli('report', b0, '--format', 'csv')).stdout.trim().split('\n');
    expect(csv[0]).toBe('stage,operator,blocks,output_shape,params,bn_stats,macs,other_ops,activations,params_share,macs_share');
    const json = JSON.parse((await cli('report', b0, '--json')).stdout);
    const stage6 = csv.find((l) => l.startsWith('stage6,'))!.split(',');
    expect(Number(stage6[9])).toBe(json.stages[6].paramsShare);
    expect(Number(stage6[10])).toBe(json.stages[6].macsShare);
    expect(csv.at(-1)).toMatch(/^total,,,,5288548,42016,385814752,\d+,\d+,1,1$/);
  });
});
