/**
 * The fault suite: what a crash, a full disk, a read-only mount or a lost race leaves behind.
 *
 * - Kills at deterministic points (EFFNET_FAULT, see src/cli/output/fault-points.ts): after N bytes, before the
 *   first rename, between the renames of a set, after the new output is in. A reader always finds the old
 *   output or the complete new one, never a mix (an ONNX model always names side data that is there and is
 *   the data it was written with), and the next run removes the leftovers (or puts back an old directory).
 * - ENOSPC on a small tmpfs, a read-only mount: a clear message with the path and the reason, the right exit
 *   code, a JSON document under --json, and nothing partial.
 * - Two compiles racing to one new directory: one wins, the other says so.
 * The mounts need root (CI runs as root); elsewhere those tests say why they did not run.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decode } from '../backends/onnx/onnx-helpers.js';
import { specPath } from '../helpers.js';
import { bin, builtCli, contents, effnet, freshDir, isRoot, sh, tree, writeSpec } from './safety-helpers.js';

const temporaries = (dir: string) => readdirSync(dir).filter((f) => f.includes('.effnet-tmp-') || f.includes('.effnet-old-'));

/** The external-data file a model names, checked against the digest in its name; undefined when embedded. */
function pairedData(model: string): string | undefined {
  const m = decode(readFileSync(model));
  const locations = new Set(m.graph!.initializer.filter((t) => t.dataLocation === 1).map((t) => t.externalData.find((e) => e.key === 'location')!.value));
  if (locations.size === 0) return undefined;
  expect(locations.size).toBe(1);
  const name = [...locations][0]!;
  const data = path.join(path.dirname(model), name);
  expect(existsSync(data), `${name} is missing beside ${model}`).toBe(true);
  expect(createHash('sha256').update(readFileSync(data)).digest('hex').slice(0, 16)).toBe(name.split('.').at(-2));
  return name;
}

interface Kind {
  readonly title: string;
  readonly out: string;
  readonly args: (spec: string, out: string) => string[];
  /** A check that the output is whole, whichever version it is. */
  readonly whole: (out: string) => void;
}

const kinds: Kind[] = [
  {
    title: 'ONNX file',
    out: 'm.onnx',
    args: (s, o) => ['compile', s, '-o', o],
    whole: (o) => expect(decode(readFileSync(o)).graph!.node.length).toBeGreaterThan(10),
  },
  {
    title: 'ONNX with --external-data',
    out: 'm.onnx',
    args: (s, o) => ['compile', s, '-o', o, '--external-data'],
    whole: (o) => expect(pairedData(o)).toBeDefined(),
  },
  {
    title: 'TF.js directory',
    out: 'tfjs',
    args: (s, o) => ['compile', s, '--target', 'tfjs', '-o', o],
    whole: (o) => expect(JSON.parse(readFileSync(path.join(o, 'model.json'), 'utf8')).weightsManifest[0].paths.every((p: string) => existsSync(path.join(o, p)))).toBe(true),
  },
  {
    title: '--target all',
    out: 'all',
    args: (s, o) => ['compile', s, '--target', 'all', '-o', o],
    whole: (o) => {
      expect(decode(readFileSync(path.join(o, 'model.onnx'))).graph!.node.length).toBeGreaterThan(10);
      expect(existsSync(path.join(o, 'tfjs', 'model.json'))).toBe(true);
    },
  },
];

const points = ['write@20000', 'before-rename', 'between-renames', 'after-rename'] as const;

describe.skipIf(!builtCli)('a SIGKILL at each step leaves the old output or the new one, whole, and the next run cleans up', () => {
  // A single file has one rename: there is no step between two.
  const cases = kinds.flatMap((k) => points.filter((p) => p !== 'between-renames' || k.title !== 'ONNX file').map((p) => [k.title, p, k] as const));
  it.each(cases)('%s, killed at %s', (_title, point, kind) => {
    const d = freshDir('kill');
    const spec = writeSpec(d);
    const out = path.join(d, kind.out);
    // The old output: the same model at another seed, so old and new differ in every weight.
    expect(effnet([...kind.args(spec, out), '--seed', '1']).code).toBe(0);
    const old = contents(d);
    const killed = effnet([...kind.args(spec, out), '--seed', '2'], { env: { EFFNET_FAULT: point } });
    expect(killed.signal).toBe('SIGKILL');
    // What a reader finds now: either version, never a mix.
    const now = contents(d);
    const keyOf = (c: Record<string, string>) => Object.fromEntries(Object.entries(c).filter(([f]) => !f.startsWith('.') && !f.includes('/.')));
    if (existsSync(out)) kind.whole(out);
    const visible = keyOf(now);
    const wasOld = JSON.stringify(visible) === JSON.stringify(keyOf(old));
    if (point === 'write@20000' || point === 'before-rename') expect(wasOld).toBe(true);
    if (point === 'between-renames' && kind.out !== 'm.onnx') expect(existsSync(out)).toBe(false); // moved aside: the next run puts it back
    // The next run removes every temporary of the killed one, and writes the new output.
    const again = effnet([...kind.args(spec, out), '--seed', '2']);
    expect(again.code, again.stderr).toBe(0);
    kind.whole(out);
    expect(temporaries(d)).toEqual([]);
    if (kind.title.includes('external')) expect(readdirSync(d).filter((f) => f.endsWith('.data'))).toHaveLength(1);
  });

  it('a directory moved aside by a killed swap is put back by the next run, even if that run is killed too', () => {
    const d = freshDir('restore');
    const spec = writeSpec(d);
    const out = path.join(d, 'tfjs');
    expect(effnet(['compile', spec, '--target', 'tfjs', '-o', out, '--seed', '1']).code).toBe(0);
    const old = contents(out);
    expect(effnet(['compile', spec, '--target', 'tfjs', '-o', out, '--seed', '2'], { env: { EFFNET_FAULT: 'between-renames' } }).signal).toBe('SIGKILL');
    expect(existsSync(out)).toBe(false);
    expect(effnet(['compile', spec, '--target', 'tfjs', '-o', out, '--seed', '3'], { env: { EFFNET_FAULT: 'before-rename' } }).signal).toBe('SIGKILL');
    expect(contents(out)).toEqual(old);
  });

  it('temporaries are hidden, unpredictable and readable by the owner only until they are complete', () => {
    const d = freshDir('temp');
    const spec = writeSpec(d);
    expect(effnet(['compile', spec, '-o', path.join(d, 'a.onnx')], { env: { EFFNET_FAULT: 'before-rename' } }).signal).toBe('SIGKILL');
    const [temp] = temporaries(d);
    expect(temp).toMatch(/^\.a\.onnx\.effnet-tmp-\d+-[0-9a-f]{12}$/);
    expect(tree(d)).toEqual([temp, 'tiny.effnet']);
    // Complete, and given its final mode just before the rename; a temporary cut off mid-write is 0600.
    expect(effnet(['compile', spec, '-o', path.join(d, 'b.onnx')], { env: { EFFNET_FAULT: 'write@100' } }).signal).toBe('SIGKILL');
    const partial = temporaries(d).find((f) => f.startsWith('.b.onnx'))!;
    expect(statSync(path.join(d, partial)).mode & 0o777).toBe(0o600);
  });
});

describe.skipIf(!builtCli)('two compiles racing to one new directory', () => {
  it('one wins; the other says another process wrote it, and keeps nothing', async () => {
    const d = freshDir('race');
    const spec = writeSpec(d);
    const out = path.join(d, 'tfjs');
    const release = path.join(d, 'go');
    const start = () => {
      const child = spawn(process.execPath, [bin, 'compile', spec, '--target', 'tfjs', '-o', out], { env: { ...process.env, EFFNET_FAULT: 'wait-before-rename', EFFNET_FAULT_RELEASE: release }, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (b) => (stderr += b));
      return new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
    };
    const runs = [start(), start()];
    // Both have written their temporaries and wait at the rename: now let them go.
    for (let i = 0; i < 600 && temporaries(d).length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(temporaries(d)).toHaveLength(2);
    writeFileSync(release, '');
    const results = (await Promise.all(runs)).sort((a, b) => (a.code ?? 9) - (b.code ?? 9));
    expect(results.map((r) => r.code)).toEqual([0, 1]);
    expect(results[1]!.stderr).toMatch(/cannot write .*tfjs: another process wrote it while this one was writing; it was left as the other process wrote it, and this run's output was discarded/);
    expect(results[1]!.stderr).not.toMatch(/internal error|ENOTEMPTY/);
    expect(temporaries(d)).toEqual([]);
    expect(existsSync(path.join(out, 'effnet-manifest.json'))).toBe(true);
  });
});

// ---- full disks and read-only mounts (root) ----

const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts.reverse()) sh(`umount -l ${m}`);
});

/** A fresh tmpfs of `size` (e.g. '1m') mounted on a new directory, or undefined when mounting is not possible. */
function tmpfs(size: string, options = ''): string | undefined {
  if (!isRoot) return undefined;
  const dir = freshDir('mnt');
  if (!sh(`mount -t tmpfs -o size=${size}${options ? `,${options}` : ''} tmpfs ${dir}`)) return undefined;
  mounts.push(dir);
  return dir;
}

const canMount = (() => {
  const probe = tmpfs('64k');
  return probe !== undefined;
})();

describe.skipIf(!builtCli || !canMount)('a full disk (ENOSPC on a 1 MiB tmpfs): a clear message, exit 1, nothing partial', () => {
  it.each([
    ['an ONNX file', (o: string) => ['compile', specPath('efficientnet-b0.effnet'), '-o', path.join(o, 'b0.onnx')]],
    ['ONNX with external data', (o: string) => ['compile', specPath('efficientnet-b0.effnet'), '-o', path.join(o, 'b0.onnx'), '--external-data']],
    ['a TF.js directory', (o: string) => ['compile', specPath('efficientnet-b0.effnet'), '--target', 'tfjs', '-o', path.join(o, 'tfjs')]],
    ['--target all', (o: string) => ['compile', specPath('efficientnet-b0.effnet'), '--target', 'all', '-o', path.join(o, 'all')]],
  ])('%s', (_what, args) => {
    const mnt = tmpfs('1m')!;
    const r = effnet([...args(mnt), '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/effnet: error: cannot write .*: no space left on device; nothing was written/);
    expect(r.stderr).not.toMatch(/internal error|This is a bug/);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, exitCode: 1, error: expect.stringMatching(/no space left on device/) });
    expect(readdirSync(mnt)).toEqual([]);
  });

  it('report --html and scale --emit on a full disk', () => {
    const mnt = tmpfs('64k')!;
    expect(sh(`dd if=/dev/zero of=${mnt}/filler bs=4k count=64 2>/dev/null; true`)).toBe(true);
    const html = effnet(['report', specPath('efficientnet-b0.effnet'), '--html', path.join(mnt, 'r.html')]);
    expect(html.code).toBe(1);
    expect(html.stderr).toMatch(/cannot write .*r\.html: no space left on device/);
    const emit = effnet(['scale', specPath('efficientnet-b0.effnet'), '--phi', '1', '--emit', path.join(mnt, 's.effnet')]);
    expect(emit.code).toBe(1);
    expect(readdirSync(mnt)).toEqual(['filler']);
  });

  it('grid --results on a full disk: a clear message and no empty results file', () => {
    const mnt = tmpfs('64k')!;
    expect(sh(`dd if=/dev/zero of=${mnt}/filler bs=4k count=64 2>/dev/null; true`)).toBe(true);
    const r = effnet(['grid', specPath('efficientnet-b0.effnet'), '--tolerance', '0.02', '--limit', '2', '--eval', 'echo {spec}; echo 1', '--results', path.join(mnt, 'r.jsonl'), '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot write .*r\.jsonl: no space left on device; the results so far are kept; run again to resume/);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, exitCode: 1 });
    expect(readdirSync(mnt)).toEqual(['filler']);
  });
});

describe.skipIf(!builtCli || !canMount)('a read-only mount: exit 2, naming the path', () => {
  it('compile, report --html and a TF.js directory', () => {
    const mnt = tmpfs('1m', 'ro')!;
    for (const args of [
      ['compile', specPath('efficientnet-b0.effnet'), '-o', path.join(mnt, 'b0.onnx')],
      ['compile', specPath('efficientnet-b0.effnet'), '--target', 'tfjs', '-o', path.join(mnt, 'tfjs')],
      ['report', specPath('efficientnet-b0.effnet'), '--html', path.join(mnt, 'r.html')],
    ]) {
      const r = effnet(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/cannot write .*: read-only file system/);
    }
    expect(readdirSync(mnt)).toEqual([]);
  });
});

describe('the mount helpers', () => {
  it.skipIf(canMount)('say why the mount tests did not run', () => {
    console.log(`faults.test.ts: ENOSPC and read-only tests skipped: ${isRoot ? 'mount -t tmpfs failed' : 'they need root (CI runs as root)'}`);
  });
  it('tree() and contents() see hidden files', () => {
    const d = freshDir('helpers');
    mkdirSync(path.join(d, 'sub'));
    writeFileSync(path.join(d, '.hidden'), 'x');
    expect(tree(d)).toEqual(['.hidden', 'sub/']);
  });
});
