/**
 * grid --results and grid --eval's leftovers: a results file with lines that are not grid results is read
 * with those lines skipped and reported (it used to crash on `null`), and a run killed with SIGKILL leaves a
 * scratch directory and a running evaluation that the next run removes and stops.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseResultLine } from '../../src/cli/grid-results.js';
import { specPath } from '../helpers.js';
import { builtCli, effnet, freshDir } from './safety-helpers.js';

const b0 = specPath('efficientnet-b0.effnet');

describe('grid result lines', () => {
  it.each([
    ['null', /not an object/],
    ['[]', /not an object/],
    ['{"foo": 1}', /no numeric 'alpha'/],
    ['{"alpha": 1.2, "beta": 1.1}', /no numeric 'gamma'/],
    ['{"alpha": 1.2, "beta": 1.1, "gamma": 1.15}', /neither a numeric 'score' nor an 'error'/],
    ['{"alpha": 1.2, "beta": 1.1, "gamma": 1.15, "score": "high"}', /'score' is not a number/],
    ['{"alpha": 1.2, "beta"', /not JSON/],
  ])('%s is not a result', (line, why) => {
    expect(parseResultLine(line)).toMatch(why);
  });
  it('a result may carry keys of its own', () => {
    expect(parseResultLine('{"alpha": 1.2, "beta": 1.1, "gamma": 1.15, "score": 0.7, "note": "run 3"}')).toEqual({ alpha: 1.2, beta: 1.1, gamma: 1.15, score: 0.7 });
  });
});

describe.skipIf(!builtCli)('grid --results with foreign lines, and what SIGKILL leaves', () => {
  it('skips and reports lines that are not grid results, and resumes from the rest', () => {
    const d = freshDir('grid');
    const results = path.join(d, 'r.jsonl');
    const first = effnet(['grid', b0, '--tolerance', '0.02', '--limit', '1', '--eval', 'echo 0.5 {spec}; echo 0.5', '--results', results, '--json']);
    expect(first.code, first.stderr).toBe(0);
    const good = readFileSync(results, 'utf8');
    writeFileSync(results, `null\n{"foo": 1}\n${good}not json at all\n`);
    const again = effnet(['grid', b0, '--tolerance', '0.02', '--limit', '1', '--eval', 'exit 3 {spec}', '--results', results, '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/r\.jsonl: skipped 3 lines that are not grid results \(line 1: not an object \(null\)\)/);
    expect(JSON.parse(again.stdout).candidates[0].score).toBe(0.5); // from the file: the failing command never ran
  });

  it('the next run removes a killed run\'s scratch directory and stops the evaluation it left running', async () => {
    // A pid that is surely dead: a process that has exited.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const scratch = path.join(tmpdir(), `effnet-grid-${gone}-leftover`);
    mkdirSync(scratch, { recursive: true });
    writeFileSync(path.join(scratch, 'alpha1-beta1-gamma1.effnet'), '');
    // The evaluation it left: a process group whose command line names the scratch directory.
    const evaluation = spawn('sh', ['-c', `sleep 300; : ${scratch}`], { detached: true, stdio: 'ignore' });
    writeFileSync(path.join(scratch, 'eval.pgid'), String(evaluation.pid));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => evaluation.on('exit', (_c, s) => resolve(s)));
    const r = effnet(['grid', b0, '--tolerance', '0.02', '--limit', '1', '--eval', 'echo {spec}; echo 1']);
    expect(r.code, r.stderr).toBe(0);
    expect(await exited).toBe('SIGKILL');
    expect(existsSync(scratch)).toBe(false);
  });

  it('a live process group that does not name the directory is left alone', async () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const scratch = path.join(tmpdir(), `effnet-grid-${gone}-reused`);
    mkdirSync(scratch, { recursive: true });
    const bystander = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
    writeFileSync(path.join(scratch, 'eval.pgid'), String(bystander.pid));
    try {
      expect(effnet(['grid', b0, '--tolerance', '0.02', '--limit', '1', '--eval', 'echo {spec}; echo 1']).code).toBe(0);
      expect(existsSync(scratch)).toBe(false);
      expect(() => process.kill(bystander.pid!, 0)).not.toThrow();
    } finally {
      bystander.kill('SIGKILL');
    }
  });
});
