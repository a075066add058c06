/**
 * The README's Training section stays true: its `train.py`, `grid.sbatch` and `study.py` are taken from the
 * README as written and run here, on the front page's model, with small settings (random images, one or two
 * epochs), and its `effnet compile` lines run as written.
 *
 * The one example not run is `torchrun`: Debian's torch 1.13 on Python 3.11 has a broken launcher (elastic's
 * `to_map` raises an AttributeError), so train.py's two processes are started here with
 * torch.multiprocessing.spawn, each given its RANK and WORLD_SIZE as torchrun would and
 * `--init-method tcp://127.0.0.1:PORT`, on gloo. The README marks those lines as not run.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareOutputs } from '../../backends/agreement.js';
import { scoreFromOutput } from '../../src/cli/commands/grid.js';
import { hasTorch, noTorchReason, readF32, runPython, torchLookup } from '../backends/pytorch/pytorch-helpers.js';
import { cli } from '../cli/run-cli.js';
import { repoRoot, specPath } from '../helpers.js';
import { bin, builtCli } from '../safety/safety-helpers.js';

const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
const training = readme.slice(readme.indexOf('\n## Training\n'), readme.indexOf('\n## ', readme.indexOf('\n## Training\n') + 5));

/** The code block of `lang` whose text starts with `start`. */
function block(lang: string, start: string): string {
  const found = [...readme.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!).filter((b) => b.startsWith(start));
  if (found.length !== 1) throw new Error(`the README has ${found.length} ${lang} blocks starting with ${JSON.stringify(start)}`);
  return found[0]!;
}

const trainPy = block('python', '# train.py:');
const studyPy = block('python', '# study.py:');
const sbatch = block('bash', '#!/bin/bash\n#SBATCH');
/** The front page's model, which the section saves as tiny.effnet. */
const tinySpec = block('', '# A small EfficientNet-style network');
/** The three lines of the section's first sh block: compile, torchrun, compile --weights. */
const [emitLine, torchrunLine, weightsLine] = training.match(/```sh\n([\s\S]*?)```/)![1]!.trim().split('\n');

const python = torchLookup.ok ? torchLookup.python.command : '/usr/bin/python3';
const hasOptuna = hasTorch && spawnSync(python, ['-c', 'import optuna, torchvision'], { stdio: 'ignore' }).status === 0;
const effnet = `${process.execPath} ${bin}`;

/** A README command line as the shell would run it here: `npx effnet` is this repository's CLI, the comment cut. */
function run(line: string, cwd: string, env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string }> {
  const command = line.replace(/\s+#.*$/, '').replace(/^npx effnet /, `${effnet} `);
  return new Promise((resolve, reject) => {
    execFile('sh', ['-c', command], { cwd, env: { ...process.env, NO_COLOR: '1', OMP_NUM_THREADS: '1', ...env }, maxBuffer: 1 << 26, timeout: 240_000 }, (e, stdout, stderr) => {
      if (e) reject(new Error(`${command} failed (${e.code}):\n${stdout.slice(-2000)}\n${stderr.slice(-4000)}`));
      else resolve({ stdout, stderr });
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const work = mkdtempSync(path.join(tmpdir(), 'effnet-readme-training-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the README Training section', () => {
  it('marks each torchrun line as not run by the tests, and has the three commands of a round trip', () => {
    const lines = readme.split('\n').filter((l) => l.startsWith('torchrun '));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const l of lines) expect(l).toMatch(/# not run by the tests$/);
    expect(torchrunLine).toMatch(/^torchrun --nproc_per_node 4 train\.py tiny\//);
    expect(emitLine).toMatch(/^npx effnet compile tiny\.effnet --target pytorch -o tiny\//);
    expect(weightsLine).toMatch(/^npx effnet compile tiny\.effnet --weights tiny\.pt --target all -o tiny-trained\//);
  });

  it("states the default grid of specs/efficientnet-b0.effnet as it is: its candidate count, last index and digest", async () => {
    const listed = JSON.parse((await cli('grid', specPath('efficientnet-b0.effnet'), '--list', '--json')).stdout);
    const n = listed.candidates.length;
    expect(training).toContain(`# ${n} candidates, 0 to ${n - 1}, grid digest ${listed.digest}`);
    expect(training).toContain(`sbatch --export=ALL,DIGEST=${listed.digest} grid.sbatch`);
    expect(sbatch).toContain(`#SBATCH --array=0-${n - 1} `);
    expect(training).toContain(`\`completions: ${n}\``);
  });
});

describe.skipIf(!hasTorch || !builtCli)('the README training recipe, run', () => {
  beforeAll(() => {
    writeFileSync(path.join(work, 'tiny.effnet'), tinySpec);
    writeFileSync(path.join(work, 'train.py'), trainPy);
  });

  it("compile, train.py on two DDP processes (spawn, gloo), compile --weights: ONNX gives the trained module's logits", async () => {
    await run(emitLine!, work);
    expect(readdirSync(path.join(work, 'tiny')).sort()).toEqual(['effnet-manifest.json', 'load.py', 'model.py', 'model.safetensors']);
    const port = await freePort();
    // What torchrun --nproc_per_node 2 would do, by hand: two processes, each told its rank, meeting at PORT.
    const launcher = `
import importlib.util
import torch.multiprocessing as mp


def worker(rank, world, argv):
    os.environ.update(RANK=str(rank), WORLD_SIZE=str(world), LOCAL_RANK=str(rank))
    torch.set_num_threads(1)
    spec = importlib.util.spec_from_file_location('readme_train', 'train.py')
    train = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(train)
    train.main(argv)


if __name__ == '__main__':
    argv = ['tiny/', '--epochs', '2', '--fake-images', '32', '--batch-size', '8', '--workers', '0', '--out', 'tiny.pt', '--init-method', 'tcp://127.0.0.1:${port}']
    started = time.time()
    mp.spawn(worker, args=(2, argv), nprocs=2, join=True)
    print(f'spawned run: {time.time() - started:.1f} s', file=sys.stderr)
    # The trained network, in eval mode, on a probe the ONNX file gets too.
    cls, load_py = load_artifact('tiny', 'check')
    model = cls()
    model.load_state_dict(torch.load('tiny.pt'))  # strict: the checkpoint is the module's whole state_dict
    model.eval()
    probe = torch.randn(2, *model.input_shape, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        write_f32('logits.bin', model(probe))
    write_f32('probe.bin', probe)
`;
    const started = performance.now();
    const r = await runPython(work, 'launch.py', `os.chdir(${JSON.stringify(work)})\n${launcher}`, [], 240_000);
    console.log(`README train.py, 2 processes x 2 epochs of 32 random 64x64 images (batch 8 each): ${((performance.now() - started) / 1000).toFixed(1)} s; ${r.stderr.trim().split('\n').at(-1)}; stdout: ${r.stdout.trim().split('\n').join(' | ')}`);
    const lines = r.stdout.trim().split('\n');
    expect(lines.filter((l) => /^epoch \d: loss \d/.test(l))).toHaveLength(2);
    expect(lines.at(-1)).toMatch(/^val top1 [01]\.\d{4}$/);
    const score = scoreFromOutput(r.stdout);
    expect(score).toBeGreaterThanOrEqual(0);
    expect(score).toBeLessThanOrEqual(1);

    await run(weightsLine!, work);
    const probe = readF32(path.join(work, 'probe.bin'));
    const want = readF32(path.join(work, 'logits.bin'));
    const session = await ort.InferenceSession.create(path.join(work, 'tiny-trained', 'model.onnx'));
    const got = (await session.run({ input: new ort.Tensor('float32', probe, [2, 3, 64, 64]) })).logits!.data as Float32Array;
    await session.release();
    const a = compareOutputs(got, want, 'cpu');
    console.log(`README train.py checkpoint -> --weights -> ONNX: ${a.summary}`);
    expect(a.evidence && a.ok, a.summary).toBe(true);
    expect(readdirSync(path.join(work, 'tiny-trained')).sort()).toEqual(['effnet-manifest.json', 'model.onnx', 'pytorch', 'tfjs']);
  }, 300_000);

  it('grid.sbatch as three array tasks at once, then --merge ranks their results', async () => {
    const dir = mkdtempSync(path.join(work, 'sbatch-'));
    writeFileSync(path.join(dir, 'tiny.effnet'), tinySpec);
    writeFileSync(path.join(dir, 'train.py'), trainPy);
    writeFileSync(path.join(dir, 'grid.sbatch'), sbatch);
    const digest = JSON.parse((await run(`npx effnet grid tiny.effnet --list --json`, dir)).stdout).digest as string;
    const tasks = await Promise.all([0, 1, 2].map(async (k) => {
      const train = `${python} train.py --init-method tcp://127.0.0.1:${await freePort()} --fake-images 16 --batch-size 4 --workers 0`;
      return run('bash grid.sbatch', dir, { SLURM_ARRAY_TASK_ID: String(k), DIGEST: digest, SPEC: 'tiny.effnet', EFFNET: effnet, TRAIN: train });
    }));
    tasks.forEach((t, k) => expect(t.stderr).toContain(`candidate ${k} (from SLURM_ARRAY_TASK_ID)`));
    expect(readdirSync(path.join(dir, 'results')).sort()).toEqual(['0.jsonl', '1.jsonl', '2.jsonl']);
    for (const k of [0, 1, 2]) expect(existsSync(path.join(dir, 'runs', `${k}.pt`))).toBe(true);
    const merged = await run('npx effnet grid tiny.effnet --merge results/*.jsonl --json', dir);
    const ranked = JSON.parse(merged.stdout).candidates;
    expect(ranked.map((c: { index: number }) => c.index).sort()).toEqual([0, 1, 2]);
    for (const c of ranked) expect(c.score).toBeGreaterThanOrEqual(0);
    // A task planned from another grid stops before it trains.
    await expect(run('bash grid.sbatch', dir, { SLURM_ARRAY_TASK_ID: '3', DIGEST: '0000000000000000', SPEC: 'tiny.effnet', EFFNET: effnet, TRAIN: 'false' })).rejects.toThrow(/the grid has changed since it was listed with digest 0000000000000000/);
    expect(existsSync(path.join(dir, 'runs', '3'))).toBe(false);
  }, 300_000);

  it.skipIf(!hasOptuna)('study.py runs an Optuna study whose trials compile with effnet and train with train.py', async () => {
    const dir = mkdtempSync(path.join(work, 'optuna-'));
    writeFileSync(path.join(dir, 'tiny.effnet'), tinySpec);
    writeFileSync(path.join(dir, 'train.py'), trainPy);
    writeFileSync(path.join(dir, 'study.py'), studyPy);
    const train = `${python} train.py --init-method tcp://127.0.0.1:${await freePort()} --fake-images 16 --batch-size 4 --workers 0`;
    const r = await run(`${python} study.py tiny.effnet 2 ${train}`, dir, { EFFNET: effnet });
    console.log(`README study.py, 2 trials: ${r.stdout.trim().split('\n').at(-1)}`);
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(/^best: trial [01], \{'depth_share': [\d.e-]+, 'width_share': [\d.e-]+\}, [\d,]+ MACs, val top1 [01]\.\d{4}$/);
    expect(r.stderr).toMatch(/Trial 1 finished with value/);
    expect(readdirSync(path.join(dir, 'trials')).sort()).toEqual(['0', '0.pt', '1', '1.pt']);
    // Twice the MACs of phi = 0, within the rounding of channels, repeats and input size.
    const base = JSON.parse((await run('npx effnet report tiny.effnet --json', dir)).stdout).totals.macs as number;
    const doc = JSON.parse((await run(`${python} -c "import optuna, json; s = optuna.load_study(study_name='effnet-phi1', storage='sqlite:///study.db'); print(json.dumps([t.user_attrs['macs'] for t in s.trials]))"`, dir)).stdout) as number[];
    expect(doc).toHaveLength(2);
    for (const macs of doc) expect(macs / base).toBeGreaterThan(1.5);
  }, 300_000);
});

describe.skipIf(hasTorch)('the README training recipe', () => {
  it('skip: no Python with torch', () => console.log(`readme-training.test.ts skipped: ${noTorchReason}`));
});
