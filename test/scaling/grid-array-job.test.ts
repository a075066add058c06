/**
 * The grid as an array job: `grid --list` numbers the candidates under a digest of the grid, task K runs
 * `grid --candidate K` (K from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX with `--candidate env`) and
 * writes a result file, and `grid --merge` ranks the files as `grid --eval` ranks. A task planned from another
 * grid (the spec or the settings changed) is refused before it writes anything.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { candidateIndex } from '../../src/cli/candidate-index.js';
import { cli } from '../cli/run-cli.js';
import { bin, builtCli, TINY as SAFETY_TINY } from '../safety/safety-helpers.js';

// The safety tests' small spec at 32x32: every candidate compiles in a blink.
const TINY = SAFETY_TINY.replace('64x64x3', '32x32x3');

const tmp = () => mkdtempSync(path.join(tmpdir(), 'effnet-grid-job-'));

function specIn(dir: string, text = TINY, name = 'tiny.effnet'): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** A small grid: 29 candidates of the tiny spec. */
const GRID = ['--tolerance', '0.02'];

/**
 * A stand-in for training: the score is (input size x 3) mod 11, read from the candidate's spec, so it is
 * deterministic per candidate and not in MACs order (the ranking has something to do), with ties.
 */
const SCORE = `awk '/^ *input/ { split($2, s, "x"); print (s[1] * 3) % 11 }' {spec}`;

interface Listed {
  digest: string;
  specSha256: string;
  candidates: { index: number; alpha: number; beta: number; gamma: number; params: number; macs: number }[];
}

async function listed(spec: string, ...extra: string[]): Promise<Listed> {
  const r = await cli('grid', spec, ...GRID, '--list', '--json', ...extra);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Listed;
}

describe('grid --list', () => {
  it('numbers the candidates from 0 in MACs order under a 16-hex-digit digest, the table grid prints without --list', async () => {
    const spec = specIn(tmp());
    const doc = await listed(spec);
    expect(doc.candidates.length).toBe(29);
    expect(doc.candidates.map((c) => c.index)).toEqual([...doc.candidates.keys()]);
    const macs = doc.candidates.map((c) => c.macs);
    expect(macs).toEqual([...macs].sort((a, b) => a - b));
    expect(doc.digest).toMatch(/^[0-9a-f]{16}$/);
    const plain = JSON.parse((await cli('grid', spec, ...GRID, '--json')).stdout);
    expect(plain).toEqual(doc);
    const text = await cli('grid', spec, ...GRID, '--list');
    expect(text.stdout).toContain(`grid digest ${doc.digest} (spec sha256 ${doc.specSha256.slice(0, 12)}..., step 0.05, tolerance 0.02, no variant, 29 candidates)`);
    expect(text.stdout).toMatch(/\n\s+0\s+1\.50\s+1\.10\s+1\.05\s+2\.001\s+31,714/);
  });

  it.each([
    ['another run of the same grid', true, (t: string) => t, [] as string[]],
    ['a comment added to the spec', false, (t: string) => `# retouched\n${t}`, []],
    ['another activation (the same params and MACs)', false, (t: string) => t.replace('swish', 'relu'), []],
    ['another step', false, (t: string) => t, ['--step', '0.1']],
  ])('the digest after %s: the same, %s', async (_what, same, edit, flags) => {
    const dir = tmp();
    const before = await listed(specIn(dir));
    const after = await listed(specIn(dir, edit(TINY), 'edited.effnet'), ...flags);
    expect(after.digest === before.digest).toBe(same);
  });

  it.each([0, 13, 28])('--candidate %i --json gives the row --list gives', async (k) => {
    const spec = specIn(tmp());
    const doc = await listed(spec);
    const r = await cli('grid', spec, ...GRID, '--candidate', String(k), '--digest', doc.digest, '--json');
    expect(r.code, r.stderr).toBe(0);
    const one = JSON.parse(r.stdout);
    expect(one.digest).toBe(doc.digest);
    expect(one.candidate).toMatchObject(doc.candidates[k]!);
  });
});

describe('grid --candidate K', () => {
  it("writes the candidate's phi = 1 spec, and a model byte-identical to compile --phi 1 with its alpha, beta, gamma", async () => {
    const dir = tmp();
    const spec = specIn(dir);
    const doc = await listed(spec);
    const c = doc.candidates[5]!;
    const r = await cli('grid', spec, ...GRID, '--candidate', '5', '--digest', doc.digest, '--emit', path.join(dir, 'c5.effnet'), '-o', path.join(dir, 'c5.onnx'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`candidate 5: alpha ${c.alpha}, beta ${c.beta}, gamma ${c.gamma} at phi 1`);
    const direct = await cli('compile', spec, '--phi', '1', '--alpha', String(c.alpha), '--beta', String(c.beta), '--gamma', String(c.gamma), '-o', path.join(dir, 'direct.onnx'));
    expect(direct.code, direct.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'c5.onnx')).equals(readFileSync(path.join(dir, 'direct.onnx')))).toBe(true);
    const emitted = JSON.parse((await cli('report', path.join(dir, 'c5.effnet'), '--json')).stdout);
    expect([emitted.totals.params, emitted.totals.macs]).toEqual([c.params, c.macs]);
    expect(readFileSync(path.join(dir, 'c5.effnet'), 'utf8')).toMatch(new RegExp(`^# effnet grid candidate 5 of .*tiny\\.effnet \\(grid digest ${doc.digest}\\)`));
  });

  it('--target pytorch -o DIR writes the module directory', async () => {
    const dir = tmp();
    const spec = specIn(dir);
    const r = await cli('grid', spec, ...GRID, '--candidate', '0', '--target', 'pytorch', '-o', path.join(dir, 'c0'));
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(path.join(dir, 'c0')).sort()).toEqual(['effnet-manifest.json', 'load.py', 'model.py', 'model.safetensors']);
    expect(readFileSync(path.join(dir, 'c0', 'model.py'), 'utf8')).toMatch(/phi 1/);
  });

  it('a digest that no longer matches the grid is refused (exit 2) and nothing is written', async () => {
    const dir = tmp();
    const spec = specIn(dir);
    const old = (await listed(spec)).digest;
    writeFileSync(spec, TINY.replace('expand 6', 'expand 4'));
    const now = (await listed(spec)).digest;
    const out = path.join(dir, 'c3');
    const r = await cli('grid', spec, ...GRID, '--candidate', '3', '--digest', old, '--target', 'pytorch', '-o', out, '--emit', path.join(dir, 'c3.effnet'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`effnet: error: the grid has changed since it was listed with digest ${old}: it is now ${now} (spec sha256`);
    expect(r.stderr).toMatch(/list it again \(effnet grid .*tiny\.effnet --tolerance 0\.02 --list\)/);
    expect(existsSync(out) || existsSync(path.join(dir, 'c3.effnet'))).toBe(false);
  });

  it.each([
    [['--candidate', '29'], /candidate 29 is not in the grid: its indices run from 0 to 28/],
    [['--candidate', '-1'], /--candidate expects an index \(0, 1, \.\.\.\), 'env' or 'env:NAME', got '-1'/],
    [['--candidate', '1', '--digest', 'abc'], /--digest expects the 16 hex digits grid --list prints, got 'abc'/],
    [['--candidate', '1', '--minimize'], /--minimize only applies with --eval or --merge/],
    [['--candidate', '1', '--target', 'onnx'], /--target only applies with -o/],
    [['--candidate', '1', '--eval', 'echo 1 {spec}; echo {out}'], /--eval has \{out\}, the compiled model's path, but no -o says where to compile it/],
    [['--candidate', '1', '--emit', 'x.effnet', '--eval', 'echo 1'], /--eval needs \{spec\} .* or, with -o, \{out\}/],
    [['--candidate', '1', '--limit', '3', '--eval', 'echo {spec}'], /--limit only applies with --eval over the whole grid/],
    [['--list', '--candidate', '1'], /--list and --candidate are different jobs/],
    [['--merge', 'x.jsonl', '--eval', 'echo {spec}'], /--eval and --merge are different jobs/],
    [['-o', 'x.onnx'], /-o only applies with --candidate K/],
  ])('%j is a usage error', async (flags, message) => {
    const r = await cli('grid', specIn(tmp()), ...GRID, ...flags);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('a results file in a missing directory is refused before the model is written or evaluated', async () => {
    const dir = tmp();
    const out = path.join(dir, 'c1');
    const r = await cli('grid', specIn(dir), ...GRID, '--candidate', '1', '--target', 'pytorch', '-o', out, '--eval', 'echo 1 {out}', '--results', path.join(dir, 'missing', '1.jsonl'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot write .*missing\/1\.jsonl: no such directory/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('--candidate env: the task index from the scheduler', () => {
  it.each([
    ['SLURM_ARRAY_TASK_ID (Slurm --array)', 'env', { SLURM_ARRAY_TASK_ID: '4' }, { index: 4, from: 'SLURM_ARRAY_TASK_ID' }],
    ['JOB_COMPLETION_INDEX (Kubernetes Indexed Job)', 'env', { JOB_COMPLETION_INDEX: '7' }, { index: 7, from: 'JOB_COMPLETION_INDEX' }],
    ['Slurm first when both are set', 'env', { SLURM_ARRAY_TASK_ID: '1', JOB_COMPLETION_INDEX: '2' }, { index: 1, from: 'SLURM_ARRAY_TASK_ID' }],
    ['a variable named with env:NAME', 'env:PBS_ARRAY_INDEX', { PBS_ARRAY_INDEX: '3' }, { index: 3, from: 'PBS_ARRAY_INDEX' }],
    ['a plain index', '12', {}, { index: 12 }],
  ])('%s', (_what, flag, env, want) => {
    expect(candidateIndex(flag, env)).toEqual(want);
  });

  it.each([
    ['neither variable set', 'env', {}, /neither is set/],
    ['a value that is not an index', 'env', { SLURM_ARRAY_TASK_ID: '3-5' }, /SLURM_ARRAY_TASK_ID is '3-5', not a candidate index/],
    ['env:NAME unset', 'env:LSB_JOBINDEX', {}, /LSB_JOBINDEX is not set/],
    ['env: with no name', 'env:', {}, /expects an environment variable's name/],
  ])('refused: %s', (_what, flag, env, message) => {
    expect(() => candidateIndex(flag, env)).toThrow(message);
  });
});

/** Runs the built CLI as its own process, as a scheduler's task would. */
function task(args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe.skipIf(!builtCli)('an array job: three tasks as separate processes, then --merge', () => {
  it('the merged ranking is the ranking --eval gives over the same candidates', async () => {
    const dir = tmp();
    const spec = specIn(dir);
    const { digest } = await listed(spec);
    const results = path.join(dir, 'results');
    mkdirSync(results);
    const common = ['grid', spec, ...GRID, '--digest', digest, '--eval', SCORE];
    // Run at once, as an array's tasks are: K given, K from Slurm's variable, K from Kubernetes'.
    const runs = await Promise.all([
      task([...common, '--candidate', '0', '--results', path.join(results, '0.jsonl')]),
      task([...common, '--candidate', 'env', '--results', path.join(results, '1.jsonl')], { SLURM_ARRAY_TASK_ID: '1' }),
      task([...common, '--candidate', 'env', '--results', path.join(results, '2.jsonl')], { JOB_COMPLETION_INDEX: '2' }),
    ]);
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    expect(runs[1]!.stderr).toContain('candidate 1 (from SLURM_ARRAY_TASK_ID)');
    expect(runs[2]!.stderr).toContain('candidate 2 (from JOB_COMPLETION_INDEX)');
    const line = JSON.parse(readFileSync(path.join(results, '1.jsonl'), 'utf8'));
    expect(line).toMatchObject({ index: 1, digest, score: expect.any(Number) });

    const files = readdirSync(results).map((f) => path.join(results, f));
    const merged = await cli('grid', spec, ...GRID, '--merge', ...files, '--json');
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stderr).toContain('no result for 26 of 29 candidates: 3, 4, 5');
    const once = await cli('grid', spec, ...GRID, '--eval', SCORE, '--limit', '3', '--json');
    expect(once.code, once.stderr).toBe(0);
    const { missing, candidates } = JSON.parse(merged.stdout);
    expect(candidates).toEqual(JSON.parse(once.stdout).candidates);
    expect(missing).toHaveLength(26);
    // The ranking is not the listing order: the scores reorder it.
    const scores = candidates.map((c: { score: number }) => c.score);
    expect(scores).toEqual([...scores].sort((a: number, b: number) => b - a));
    expect(candidates.map((c: { index: number }) => c.index)).not.toEqual([0, 1, 2]);
    const text = await cli('grid', spec, ...GRID, '--merge', ...files);
    expect(text.stdout).toMatch(/3 of 29 candidates .* merged from 3 files, ranked by score \(higher is better\)/);
  }, 60_000);
});

describe('grid --merge', () => {
  const line = (o: object) => JSON.stringify(o);

  it('a score beats a failed try of the same candidate, failures rank last, --minimize reverses', async () => {
    const dir = tmp();
    const spec = specIn(dir);
    const { digest, candidates: c } = await listed(spec);
    const at = (i: number, rest: object) => line({ index: i, digest, alpha: c[i]!.alpha, beta: c[i]!.beta, gamma: c[i]!.gamma, ...rest });
    const a = path.join(dir, 'a.jsonl');
    const b = path.join(dir, 'b.jsonl');
    writeFileSync(a, `${at(0, { error: 'exit code 137' })}\n${at(1, { score: 0.5 })}\n${at(2, { error: 'timed out' })}\n`);
    writeFileSync(b, `${at(0, { score: 0.7 })}\nnot json\n`);
    const r = await cli('grid', spec, ...GRID, '--merge', a, b, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('b.jsonl: skipped 1 line that is not grid results (line 2: not JSON');
    expect(r.stderr).toContain('1 of 3 evaluations failed; first: timed out');
    const ranked = JSON.parse(r.stdout).candidates.map((x: { index: number; score?: number }) => [x.index, x.score]);
    expect(ranked).toEqual([[0, 0.7], [1, 0.5], [2, undefined]]);
    const low = JSON.parse((await cli('grid', spec, ...GRID, '--merge', a, b, '--minimize', '--json')).stdout).candidates.map((x: { index: number }) => x.index);
    expect(low).toEqual([1, 0, 2]);
  });

  it('a result of another grid is refused with its file and line (exit 2); so is a point not on this grid', async () => {
    const dir = tmp();
    const spec = specIn(dir);
    const { digest, candidates: c } = await listed(spec);
    const stale = path.join(dir, 'stale.jsonl');
    writeFileSync(stale, `${line({ index: 0, digest, alpha: c[0]!.alpha, beta: c[0]!.beta, gamma: c[0]!.gamma, score: 1 })}\n${line({ index: 1, digest: '0123456789abcdef', alpha: c[1]!.alpha, beta: c[1]!.beta, gamma: c[1]!.gamma, score: 2 })}\n`);
    const r = await cli('grid', spec, ...GRID, '--merge', stale);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`stale.jsonl:2: a result of another grid (digest 0123456789abcdef; this grid's is ${digest}`);
    const off = path.join(dir, 'off.jsonl');
    writeFileSync(off, `${line({ alpha: 1.3, beta: 1.3, gamma: 1.3, score: 1 })}\n`);
    const r2 = await cli('grid', spec, ...GRID, '--merge', off);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('off.jsonl:1: alpha 1.3, beta 1.3, gamma 1.3 is not a candidate of this grid');
  });

  it('--eval --results does not reuse the scores of another grid', async () => {
    const dir = tmp();
    const spec = specIn(dir);
    const results = path.join(dir, 'r.jsonl');
    expect((await cli('grid', spec, ...GRID, '--limit', '1', '--eval', 'echo 1 {spec}; echo 1', '--results', results)).code).toBe(0);
    writeFileSync(spec, TINY.replace('swish', 'relu'));
    const again = await cli('grid', spec, ...GRID, '--limit', '1', '--eval', 'echo 2 {spec}; echo 2', '--results', results, '--json');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/r\.jsonl: 1 result of another grid \(digest [0-9a-f]{16}; this one's is [0-9a-f]{16}\) not reused/);
    expect(JSON.parse(again.stdout).candidates[0].score).toBe(2);
  });
});
