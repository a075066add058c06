/** `effnet scale` and `effnet grid` end to end. */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../src/ir/spec.js';
import { compile } from '../../src/pipeline.js';
import { gridTitle, scoreFromOutput } from '../../src/cli/commands/grid.js';
import { cli } from '../cli/run-cli.js';
import { compileSpec } from '../helpers.js';

const b0 = 'specs/efficientnet-b0.effnet';
const tmp = () => mkdtempSync(path.join(tmpdir(), 'effnet-test-'));

/** Command lines of live processes containing `text` (from /proc, so no procps is needed). */
function processesRunning(text: string): string[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((pid) => {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      return cmd.includes(text) ? [cmd] : [];
    } catch {
      return [];
    }
  });
}

/** The IR without what legitimately differs between a spec and its re-emitted copy. */
function structure(spec: ModelSpec) {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).filter(([k]) => !['span', 'spans', 'nameSpan', 'fnSpan', 'applied', 'variants', 'ast'].includes(k)).map(([k, x]) => [k, strip(x)]));
    }
    return v;
  };
  return strip(spec);
}

describe('effnet scale', () => {
  it('prints old -> new channels and repeats per stage', async () => {
    const r = await cli('scale', b0, '--phi', '1');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/stage3\s+mbconv k5 s2 e6 se0.25\s+40 -> 48\s+2 -> 3/);
    expect(r.stdout).toMatch(/head\s+conv c1280 k1\s+1280 -> 1408\s+1\n/);
  });

  it.each([
    // title                          spec                          flags                                       the same request, as options                                  emitted as
    ['phi 3',                         b0,                           ['--phi', '3'],                             { scaling: { phi: 3 } },                                      'efficientnet-b0-phi3'],
    ['variant b5',                    b0,                           ['--variant', 'b5'],                        { variant: 'b5' },                                            'efficientnet-b5'],
    ['resnet101 at double width',     'specs/resnet.effnet',        ['--variant', 'resnet101', '--width', '2'], { variant: 'resnet101', scaling: { width: 2 } },              'resnet101-w2'],
    ['mobilenet-v2 w035',             'specs/mobilenet-v2.effnet',  ['--variant', 'w035'],                      { variant: 'w035' },                                          'mobilenet-v2-w035'],
    ['phi below 0',                   b0,                           ['--phi', '-1.5'],                          { scaling: { phi: -1.5 } },                                   'efficientnet-b0-phim1_5'],
  ] as const)('--emit writes a spec that parses back to the same IR, named for its scaling (%s)', async (_name, spec, flags, options, name) => {
    const out = path.join(tmp(), 'scaled.effnet');
    const r = await cli('scale', spec, ...flags, '--emit', out);
    expect(r.code, r.stderr).toBe(0);
    const original = compile(spec, readFileSync(spec), options);
    const reparsed = compile(out, readFileSync(out));
    expect(reparsed.diagnostics).toEqual([]);
    expect(reparsed.scaled!.name).toBe(name);
    expect(structure({ ...reparsed.scaled!, name: original.scaled!.name })).toEqual(structure(original.scaled!));
    expect(reparsed.report!.total).toEqual(original.report!.total);
  });

  it('--sweep lists phi, d, w, r, resolution, params, MACs and the ratio beside the ideal', async () => {
    const r = await cli('scale', b0, '--sweep', '0..7', '--json');
    const doc = JSON.parse(r.stdout);
    expect(doc.sweep.map((s: { phi: number }) => s.phi)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(doc.sweep[0]).toMatchObject({ inputSize: 224, params: 5_288_548, macsRatio: 1, idealRatio: 1 });
    expect(doc.sweep[1].inputSize).toBe(258);
    expect(doc.sweep[7].idealRatio).toBeCloseTo(1.920_27 ** 7, 1);
    for (let i = 1; i < doc.sweep.length; i++) expect(doc.sweep[i].macs).toBeGreaterThan(doc.sweep[i - 1].macs);
  });

  it('--plot draws three panels with their own axes: MACs beside the prediction, params, and the multipliers with the official variants', async () => {
    const out = path.join(tmp(), 'sweep.svg');
    const r = await cli('scale', b0, '--sweep', '0..4', '--plot', out);
    expect(r.code).toBe(0);
    const svg = readFileSync(out, 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).not.toMatch(/<script|href=/);
    const texts = [...svg.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    // One labelled y axis per panel.
    for (const label of ['MACs (log scale)', 'parameters (log scale)', 'multiplier']) expect(texts).toContain(label);
    // The legend: measured, predicted, the multiplier curves and the variants.
    for (const name of ['MACs', 'predicted (αβ²γ²)^φ', 'parameters', 'depth d = α^φ', 'width w = β^φ', 'resolution r = γ^φ', "variants' d"]) expect(texts).toContain(name);
    // B1-B7 label their guides; B7's 37.75 G MACs is 1.92^7 times B0's: phi 7.0 on the predicted line.
    for (const v of ['b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7']) expect(texts).toContain(v);
    expect(svg.match(/<path d="M[\d.]+,[\d.]+ L[\d.]+,[\d.]+ L[\d.]+,[\d.]+ L[\d.]+,[\d.]+ Z" fill="white"/g)!.length).toBe(7 * 5 + 5);
    // Measured lines (MACs, params), the prediction and three multiplier curves.
    expect(svg.match(/<polyline/g)).toHaveLength(6);
  });

  it('--plot of a spec without scaling variants has no variant points', async () => {
    const out = path.join(tmp(), 'sweep.svg');
    expect((await cli('scale', 'specs/resnet.effnet', '--sweep', '0..2', '--plot', out)).code).toBe(0);
    const svg = readFileSync(out, 'utf8');
    expect(svg).not.toContain('variants');
    expect(svg).toContain('predicted (αβ²γ²)^φ');
  });

  it('--sweep takes phi below 0', async () => {
    const doc = JSON.parse((await cli('scale', b0, '--sweep', '-2..0', '--json')).stdout);
    expect(doc.sweep.map((s: { phi: number }) => s.phi)).toEqual([-2, -1, 0]);
    expect(doc.sweep[0].macs).toBeLessThan(doc.sweep[1].macs);
    expect(doc.sweep[2].params).toBe(5_288_548);
  });

  it.each([
    ['--target-macs', '1.8G', 'macs', 1.8e9],
    ['--target-params', '12M', 'params', 12e6],
  ] as const)('%s %s finds the largest phi (to 0.01) that fits', async (flag, value, key, limit) => {
    const r = await cli('scale', b0, flag, value, '--json');
    expect(r.code, r.stderr).toBe(0);
    const phi = Number(/largest phi within the budget: ([\d.]+)/.exec(r.stderr)![1]);
    expect(JSON.parse(r.stdout).totals.after[key]).toBeLessThanOrEqual(limit);
    const next = compileSpec('efficientnet-b0.effnet', { scaling: { phi: phi + 0.01 } }).report.total[key];
    expect(next).toBeGreaterThan(limit);
  });

  it('refuses contradictory flags with exit code 2', async () => {
    expect((await cli('scale', b0, '--phi', '1', '--width', '2')).code).toBe(2);
    expect((await cli('scale', b0, '--sweep', '0..3', '--phi', '1')).code).toBe(2);
    expect((await cli('scale', b0, '--plot', 'x.svg')).code).toBe(2);
    expect((await cli('scale', b0)).code).toBe(2);
    expect((await cli('scale', b0, '--sweep', '7..0')).code).toBe(2);
  });

  it('refuses --emit with --sweep (many models, no one spec to write), writing nothing', async () => {
    const dir = tmp();
    const out = path.join(dir, 's.effnet');
    const r = await cli('scale', b0, '--sweep', '0..2', '--emit', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--emit writes one scaled spec and --sweep makes many');
    expect(r.stdout).toBe('');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('alpha below 1: in the spec an error at its line (exit 1), as a flag a usage error (exit 2)', async () => {
    const spec = path.join(tmp(), 'shrink.effnet');
    writeFileSync(spec, readFileSync(b0, 'utf8').replace(/alpha\s+1\.2/, 'alpha 0.9'));
    const r = await cli('scale', spec, '--phi', '1');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/shrink\.effnet:\d+:\d+: error\[E0501\]: alpha must be at least 1, got 0\.9/);
    const flag = await cli('scale', b0, '--phi', '1', '--alpha', '0.9');
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--alpha expects a number of at least 1');
  });
});

describe('effnet scale --target-macs at the limits', () => {
  it('a budget under the spec scales it down: phi < 0, the largest to 0.01 that fits', async () => {
    const r = await cli('scale', b0, '--target-macs', '0.1G', '--json');
    expect(r.code, r.stderr).toBe(0);
    const phi = Number(/largest phi within the budget: (-[\d.]+), below the spec as written/.exec(r.stderr)![1]);
    expect(phi).toBeLessThan(0);
    expect(JSON.parse(r.stdout).totals.after.macs).toBeLessThanOrEqual(1e8);
    expect(compileSpec('efficientnet-b0.effnet', { scaling: { phi: phi + 0.01 } }).report.total.macs).toBeGreaterThan(1e8);
    // --phi takes it back.
    const again = JSON.parse((await cli('scale', b0, '--phi', String(phi), '--json')).stdout);
    expect(again.totals.after.macs).toBe(JSON.parse(r.stdout).totals.after.macs);
  });

  it('a budget no phi reaches says how small the model gets', async () => {
    const r = await cli('scale', b0, '--target-macs', '1M');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/even phi = -10 exceeds the budget \([\d,]+ params, [\d.]+ M MACs\): channels stop at the divisor and repeats at 1/);
  });

  it('says when the parameter ceiling, not the budget, stopped the search', async () => {
    const r = await cli('scale', b0, '--target-macs', '1e30');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/largest phi allowed: [\d.]+; the budget is not reached, phi [\d.]+ is refused: .*over the ceiling of 2,000,000,000/);
    const within = await cli('scale', b0, '--target-macs', '1.8G');
    expect(within.stderr).toContain('largest phi within the budget: 1.88');
  });
});

describe('effnet grid', () => {
  it.each([
    // qualified, shown, evaluated?  title
    [111, 111, undefined, 'b0: 111 candidates with |alpha*beta^2*gamma^2 - 2| <= 0.1 (step 0.05), by MACs'],
    [1, 1, undefined, 'b0: 1 candidate with |alpha*beta^2*gamma^2 - 2| <= 0.1 (step 0.05), by MACs'],
    [111, 4, 'higher', 'b0: 111 candidates with |alpha*beta^2*gamma^2 - 2| <= 0.1 (step 0.05); the 4 with the fewest MACs evaluated (--limit), ranked by score (higher is better)'],
    [3, 3, 'lower', 'b0: 3 candidates with |alpha*beta^2*gamma^2 - 2| <= 0.1 (step 0.05), ranked by score (lower is better)'],
  ] as const)('the title counts what qualified (%i), then what is shown (%i)', (qualified, shown, better, title) => {
    expect(gridTitle('b0', qualified, shown, 0.1, 0.05, better)).toBe(title);
  });

  it('--limit: the table says how many qualified and how many were evaluated', async () => {
    const r = await cli('grid', b0, '--tolerance', '0.02', '--limit', '2', '--eval', 'test -f {spec} && echo 1');
    expect(r.code, r.stderr).toBe(0);
    const all = JSON.parse((await cli('grid', b0, '--tolerance', '0.02', '--json')).stdout).candidates.length;
    expect(all).toBeGreaterThan(2);
    expect(r.stdout.split('\n')[0]).toContain(`: ${all} candidates with |alpha*beta^2*gamma^2 - 2| <= 0.02 (step 0.05); the 2 with the fewest MACs evaluated (--limit), ranked by score`);
  });

  it('lists every grid point with alpha*beta^2*gamma^2 within the tolerance, costed at phi 1', async () => {
    const r = await cli('grid', b0, '--json', '--tolerance', '0.05');
    const doc = JSON.parse(r.stdout);
    expect(doc.candidates.length).toBeGreaterThan(10);
    for (const c of doc.candidates) {
      expect(Math.abs(c.product - 2)).toBeLessThanOrEqual(0.05 + 1e-9);
      expect(Math.min(c.alpha, c.beta, c.gamma)).toBeGreaterThanOrEqual(1);
    }
    expect(doc.candidates.some((c: { alpha: number; beta: number; gamma: number }) => c.alpha === 1.2 && c.beta === 1.1 && c.gamma === 1.15)).toBe(false); // 1.92: outside 0.05
  });

  it('--eval ranks candidates by the last number a command prints, and resumes from --results', async () => {
    const dir = tmp();
    const results = path.join(dir, 'results.jsonl');
    const counter = path.join(dir, 'calls');
    writeFileSync(counter, '');
    // The "score" is the input size of the candidate's spec; each call appends a line to the counter.
    const cmd = `echo x >> ${counter}; grep -o 'input *[0-9]*' {spec} | grep -o '[0-9]*$'`;
    const first = await cli('grid', b0, '--tolerance', '0.02', '--limit', '4', '--eval', cmd, '--results', results, '--json');
    expect(first.code, first.stderr).toBe(0);
    const ranked = JSON.parse(first.stdout).candidates;
    expect(ranked).toHaveLength(4);
    const scores = ranked.map((c: { score: number }) => c.score);
    expect(scores).toEqual([...scores].sort((a: number, b: number) => b - a));
    expect(readFileSync(counter, 'utf8').trim().split('\n')).toHaveLength(4);
    const again = await cli('grid', b0, '--tolerance', '0.02', '--limit', '4', '--eval', cmd, '--results', results, '--json');
    expect(JSON.parse(again.stdout).candidates).toEqual(ranked);
    expect(readFileSync(counter, 'utf8').trim().split('\n')).toHaveLength(4); // nothing evaluated twice
  });

  it('--timeout stops the command and everything it started; when every evaluation fails, exit 1', async () => {
    const marker = `sleep 37.${process.pid}`;
    const r = await cli('grid', b0, '--tolerance', '0.02', '--limit', '1', '--timeout', '0.5', '--eval', `(${marker}) & ${marker}; echo {spec}`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('timed out after 0.5 s; the command and everything it started were stopped');
    // SIGKILL is delivered at once but reaped a moment later: give a busy machine up to 10 s to show it.
    for (let waited = 0; processesRunning(marker).length && waited < 10_000; waited += 100) await new Promise((done) => setTimeout(done, 100));
    expect(processesRunning(marker)).toEqual([]); // no survivor, not even the backgrounded one
  });

  it('a command that exits while a child of its still holds stdout is scored, and the child stopped', async () => {
    const marker = `sleep 38.${process.pid}`;
    const r = await cli('grid', b0, '--tolerance', '0.02', '--limit', '1', '--timeout', '20', '--eval', `: {spec}; ${marker} & echo 0.5`, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).candidates[0].score).toBe(0.5);
    for (let waited = 0; processesRunning(marker).length && waited < 10_000; waited += 100) await new Promise((done) => setTimeout(done, 100));
    expect(processesRunning(marker)).toEqual([]);
  });

  it('failed evaluations are tried again on resume; a failure without stderr reads cleanly', async () => {
    const results = path.join(tmp(), 'results.jsonl');
    const flag = path.join(tmp(), 'ok');
    // Fails (exit 3, nothing on stderr) until the flag file exists, then scores 1.
    const cmd = `test -e ${flag} || exit 3; echo 1 # {spec}`;
    const first = await cli('grid', b0, '--tolerance', '0.02', '--limit', '1', '--eval', cmd, '--results', results, '--json');
    expect(first.code).toBe(1);
    expect(JSON.parse(first.stdout).candidates[0].error).toBe('exit code 3');
    writeFileSync(flag, '');
    const again = await cli('grid', b0, '--tolerance', '0.02', '--limit', '1', '--eval', cmd, '--results', results, '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).candidates[0].score).toBe(1);
  });

  it('a score must end the last line: numbers inside a file name do not count', async () => {
    const r = await cli('grid', b0, '--tolerance', '0.02', '--limit', '2', '--eval', 'echo {spec}; echo', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).candidates.filter((c: { error?: string }) => c.error === 'the last output line does not end with a number')).toHaveLength(2);
  });

  it.each([
    ['0.763', 0.763],
    ['epoch 3\ntop1 76.3', 76.3],
    ['acc: 76.3 %', 76.3],
    ['loss=1e-3', 0.001],
    ['val (0.5)', 0.5],
    ['/tmp/alpha1.2-beta1.1.effnet', undefined],
    ['done', undefined],
    ['', undefined],
  ])('score of %j is %s', (out, score) => {
    expect(scoreFromOutput(out)).toBe(score);
  });
});
