/**
 * The overwrite rule, as a user meets it: an output that exists is replaced only if it is a regular file, or
 * a directory effnet wrote (it holds effnet-manifest.json and nothing it does not list). A project folder, a
 * model a user saved, a device node, a FIFO, a socket, or one of the command's own inputs is refused with
 * exit 2 and left exactly as it was. Symbolic links are followed: the file they point at is replaced.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtCli, contents, effnet, freshDir, isRoot, sh, tree, writeSpec } from './safety-helpers.js';

/** A project folder a user could point -o at by mistake. */
function project(dir: string): void {
  writeFileSync(path.join(dir, 'README.md'), '# my project\n');
  mkdirSync(path.join(dir, 'src'));
  writeFileSync(path.join(dir, 'src', 'train.py'), 'print("hello")\n');
}

interface Case {
  readonly title: string;
  /** Prepares the directory; returns the -o argument (relative to the directory). */
  readonly setup: (dir: string) => string;
  readonly args: (spec: string, out: string) => string[];
  readonly message: RegExp;
}

const refused: Case[] = [
  {
    title: 'tfjs -o a project folder',
    setup: (d) => (mkdirSync(path.join(d, 'proj')), project(path.join(d, 'proj')), 'proj'),
    args: (s, o) => ['compile', s, '--target', 'tfjs', '-o', o],
    message: /refusing to replace proj: it is a directory effnet did not write \(it has no effnet-manifest\.json\)/,
  },
  {
    title: 'tfjs -o . (the working directory)',
    setup: (d) => (project(d), '.'),
    args: (s, o) => ['compile', s, '--target', 'tfjs', '-o', o],
    message: /cannot write \.: the input tiny\.effnet lies inside it|refusing to replace \.: /,
  },
  {
    title: '--target all -o a project folder',
    setup: (d) => (mkdirSync(path.join(d, 'proj')), project(path.join(d, 'proj')), 'proj'),
    args: (s, o) => ['compile', s, '--target', 'all', '-o', o],
    message: /refusing to replace proj/,
  },
  {
    title: 'a model the user saved with model.save (no effnet manifest)',
    setup: (d) => {
      mkdirSync(path.join(d, 'saved'));
      writeFileSync(path.join(d, 'saved', 'model.json'), '{"format":"layers-model"}');
      writeFileSync(path.join(d, 'saved', 'weights.bin'), 'x');
      return 'saved';
    },
    args: (s, o) => ['compile', s, '--target', 'tfjs', '-o', o],
    message: /refusing to replace saved: it is a directory effnet did not write/,
  },
  {
    title: "an effnet directory holding a file of the user's",
    setup: (d) => {
      expect(effnet(['compile', path.join(d, 'tiny.effnet'), '--target', 'tfjs', '-o', path.join(d, 'm')]).code).toBe(0);
      writeFileSync(path.join(d, 'm', 'notes.txt'), 'mine');
      return 'm';
    },
    args: (s, o) => ['compile', s, '--target', 'tfjs', '-o', o],
    message: /holds files effnet did not write \(notes\.txt\)/,
  },
  {
    title: 'a file where a directory output goes',
    setup: (d) => (writeFileSync(path.join(d, 'f'), 'data'), 'f'),
    args: (s, o) => ['compile', s, '--target', 'tfjs', '-o', o],
    message: /it exists and is a file, not a directory/,
  },
  {
    title: 'compile -o the spec itself',
    setup: () => 'tiny.effnet',
    args: (s, o) => ['compile', s, '-o', o],
    message: /cannot write tiny\.effnet: it is the input/,
  },
  {
    title: 'report --html the spec itself',
    setup: () => 'tiny.effnet',
    args: (s, o) => ['report', s, '--html', o],
    message: /it is the input/,
  },
  {
    title: 'scale --emit the spec itself, through a symbolic link',
    setup: (d) => (symlinkSync('tiny.effnet', path.join(d, 'alias.effnet')), 'alias.effnet'),
    args: (s, o) => ['scale', s, '--phi', '1', '--emit', o],
    message: /cannot write alias\.effnet: it is the input/,
  },
  {
    title: 'a directory output that holds the input',
    setup: (d) => {
      mkdirSync(path.join(d, 'm'));
      writeFileSync(path.join(d, 'm', 'effnet-manifest.json'), JSON.stringify({ generatedBy: 'effnet 0.1.0', files: ['tiny.effnet'] }));
      writeFileSync(path.join(d, 'm', 'tiny.effnet'), readFileSync(path.join(d, 'tiny.effnet')));
      return 'm';
    },
    args: (_s, o) => ['compile', path.join(o, 'tiny.effnet'), '--target', 'tfjs', '-o', o],
    message: /the input .*tiny\.effnet lies inside it/,
  },
  {
    title: 'grid --results the spec itself',
    setup: () => 'tiny.effnet',
    args: (s, o) => ['grid', s, '--eval', 'echo 1 {spec}', '--results', o, '--limit', '1'],
    message: /it is the input/,
  },
  {
    title: 'a dangling symbolic link',
    setup: (d) => (symlinkSync('nowhere.onnx', path.join(d, 'link.onnx')), 'link.onnx'),
    args: (s, o) => ['compile', s, '-o', o],
    message: /it is a symbolic link to a missing file/,
  },
  {
    title: 'a FIFO',
    setup: (d) => (expect(sh(`mkfifo ${path.join(d, 'fifo')}`)).toBe(true), 'fifo'),
    args: (s, o) => ['compile', s, '-o', o],
    message: /it is a FIFO \(named pipe\); effnet replaces only regular files/,
  },
  {
    title: 'report --html to a FIFO',
    setup: (d) => (expect(sh(`mkfifo ${path.join(d, 'fifo')}`)).toBe(true), 'fifo'),
    args: (s, o) => ['report', s, '--html', o],
    message: /it is a FIFO/,
  },
  {
    title: 'import -o a FIFO',
    setup: (d) => (expect(sh(`mkfifo ${path.join(d, 'fifo')}`)).toBe(true), 'fifo'),
    args: (_s, o) => ['import', '--timm', 'ds_r1_k3_s1_e1_c16', '-o', o],
    message: /it is a FIFO/,
  },
];

describe.skipIf(!builtCli)('the overwrite rule refuses, and touches nothing', () => {
  it.each(refused.map((c) => [c.title, c] as const))('%s', (_title, c) => {
    const d = freshDir('refuse');
    const spec = writeSpec(d);
    const out = c.setup(d);
    const before = contents(d);
    const r = effnet(c.args(path.basename(spec), out), { cwd: d });
    expect(r.stderr).toMatch(c.message);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    expect(contents(d)).toEqual(before);
  });

  it('a socket', async () => {
    const d = freshDir('socket');
    const spec = writeSpec(d);
    const sock = path.join(d, 'sock');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      const r = effnet(['compile', spec, '-o', sock]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/it is a socket/);
      expect(lstatSync(sock).isSocket()).toBe(true);
    } finally {
      server.close();
    }
  });

  it.skipIf(!isRoot)('a character device (mknod c 1 3, a second /dev/null), as root', () => {
    const d = freshDir('device');
    const spec = writeSpec(d);
    const dev = path.join(d, 'mynull');
    expect(sh(`mknod ${dev} c 1 3`)).toBe(true);
    for (const args of [['compile', spec, '-o', dev], ['report', spec, '--html', dev], ['scale', spec, '--phi', '1', '--emit', dev], ['import', '--timm', 'ds_r1_k3_s1_e1_c16', '-o', dev]]) {
      const r = effnet(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/it is a character device; effnet replaces only regular files/);
      expect(lstatSync(dev).isCharacterDevice()).toBe(true);
    }
  });
});

describe.skipIf(!builtCli)('what the rule allows', () => {
  it('replaces a directory effnet wrote, whole: no file of the old model is left', () => {
    const d = freshDir('replace');
    const spec = writeSpec(d);
    const out = path.join(d, 'm');
    expect(effnet(['compile', spec, '--target', 'tfjs', '-o', out, '--shard-mb', '0.01']).code).toBe(0);
    const many = tree(out);
    expect(many.filter((f) => f.endsWith('.bin')).length).toBeGreaterThan(1);
    expect(effnet(['compile', spec, '--target', 'tfjs', '-o', out]).code).toBe(0);
    expect(tree(out)).toEqual(['effnet-manifest.json', 'group1-shard1of1.bin', 'model.json']);
    expect(tree(d)).toEqual(['m/', 'm/effnet-manifest.json', 'm/group1-shard1of1.bin', 'm/model.json', 'tiny.effnet']);
  });

  it('replaces an empty directory', () => {
    const d = freshDir('empty');
    const spec = writeSpec(d);
    mkdirSync(path.join(d, 'm'));
    expect(effnet(['compile', spec, '--target', 'tfjs', '-o', path.join(d, 'm')]).code).toBe(0);
    expect(existsSync(path.join(d, 'm', 'model.json'))).toBe(true);
  });

  it('--target all: one directory, one manifest listing every file, and the tfjs part recognised on its own', () => {
    const d = freshDir('all');
    const spec = writeSpec(d);
    const out = path.join(d, 'out');
    expect(effnet(['compile', spec, '--target', 'all', '-o', out]).code).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(out, 'effnet-manifest.json'), 'utf8'));
    expect(manifest.files).toEqual(tree(out).filter((f) => !f.endsWith('/') && f !== 'effnet-manifest.json'));
    expect(manifest.files).toContain('model.onnx');
    expect(manifest.files).toContain('tfjs/model.json');
    // The part alone can be replaced by a later tfjs compile.
    expect(effnet(['compile', spec, '--target', 'tfjs', '-o', path.join(out, 'tfjs')]).code).toBe(0);
    expect(effnet(['compile', spec, '--target', 'all', '-o', out]).code).toBe(0);
  });

  it('a symbolic link to a file: the file is replaced, the link stays a link, the mode is kept', () => {
    const d = freshDir('link');
    const spec = writeSpec(d);
    writeFileSync(path.join(d, 'real.onnx'), 'old');
    chmodSync(path.join(d, 'real.onnx'), 0o640);
    symlinkSync('real.onnx', path.join(d, 'link.onnx'));
    expect(effnet(['compile', spec, '-o', path.join(d, 'link.onnx')]).code).toBe(0);
    expect(lstatSync(path.join(d, 'link.onnx')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path.join(d, 'link.onnx'))).toBe('real.onnx');
    expect(statSync(path.join(d, 'real.onnx')).size).toBeGreaterThan(1000);
    expect(statSync(path.join(d, 'real.onnx')).mode & 0o777).toBe(0o640);
  });

  it("fmt --write on a symlinked spec formats the link's target and keeps its mode", () => {
    const d = freshDir('fmt');
    const messy = 'model   m {\n input 32\n  stages {\n conv 1 8 3 1\n }\n}\n';
    writeSpec(d, 'real.effnet', messy);
    const formatted = effnet(['fmt', '-'], { input: messy }).stdout;
    expect(formatted).not.toBe(messy);
    chmodSync(path.join(d, 'real.effnet'), 0o600);
    symlinkSync('real.effnet', path.join(d, 'spec.effnet'));
    const r = effnet(['fmt', '--write', 'spec.effnet'], { cwd: d });
    expect(r.code).toBe(0);
    expect(lstatSync(path.join(d, 'spec.effnet')).isSymbolicLink()).toBe(true);
    expect(readFileSync(path.join(d, 'real.effnet'), 'utf8')).toBe(formatted);
    expect(statSync(path.join(d, 'real.effnet')).mode & 0o777).toBe(0o600);
    expect(effnet(['fmt', '--check', 'spec.effnet'], { cwd: d }).code).toBe(0);
  });

  it('-o - and -o /dev/stdout write a single-file output to standard output, byte for byte', () => {
    const d = freshDir('stdout');
    const spec = writeSpec(d);
    expect(effnet(['compile', spec, '-o', path.join(d, 'a.onnx')]).code).toBe(0);
    const file = readFileSync(path.join(d, 'a.onnx'));
    for (const o of ['-', '/dev/stdout']) {
      const r = effnet(['compile', spec, '-o', o]);
      expect(r.code).toBe(0);
      expect(Buffer.compare(r.raw.stdout, file)).toBe(0);
    }
    const html = effnet(['report', spec, '--html', '-']);
    expect(html.code).toBe(0);
    expect(html.stdout).toMatch(/^<!doctype html>/i);
    expect(effnet(['compile', spec, '--target', 'tfjs', '-o', '-']).stderr).toMatch(/a directory of files, not one stream/);
    expect(effnet(['compile', spec, '-o', '-', '--external-data']).code).toBe(2);
  });
});
