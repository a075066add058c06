/**
 * Atomic writes: a failure while producing bytes, or SIGINT, leaves neither a partial output nor a temporary;
 * an existing output survives a failed write; unwritable paths are usage errors with a clear message.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Artifact } from '../../../backends/backend.js';
import { UsageError } from '../../../src/cli/io.js';
import { writeArtifact } from '../../../src/cli/output/write-artifact.js';
import { repoRoot } from '../../helpers.js';
import { tempDir } from './onnx-helpers.js';

const root = tempDir('write');
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
const freshDir = () => {
  const d = path.join(root, String(n++));
  mkdirSync(d);
  return d;
};

/** An artifact whose bytes fail after `failAfter` chunks (never, if undefined). */
function artifact(layout: 'file' | 'directory', paths: string[], failAfter?: number): Artifact {
  return {
    layout,
    summary: {},
    files: paths.map((p) => ({
      path: p,
      *chunks() {
        for (let i = 0; i < 4; i++) {
          if (failAfter !== undefined && i === failAfter) throw new Error('generator failed');
          yield new TextEncoder().encode(`${p}:${i};`);
        }
      },
    })),
  };
}

describe('writeArtifact', { timeout: 60_000 }, () => {
  it('writes a file, and side files next to it', async () => {
    const d = freshDir();
    const r = await writeArtifact(artifact('file', ['m.onnx.data', '']), path.join(d, 'm.onnx'));
    expect(readdirSync(d).sort()).toEqual(['m.onnx', 'm.onnx.data']);
    expect(readFileSync(path.join(d, 'm.onnx'), 'utf8')).toBe(':0;:1;:2;:3;');
    expect(r.bytes).toBe(12 + 4 * 'm.onnx.data:0;'.length);
  });

  it('a failure mid-write leaves nothing behind', async () => {
    const d = freshDir();
    await expect(writeArtifact(artifact('file', ['', 'x.data'], 2), path.join(d, 'm.onnx'))).rejects.toThrow('generator failed');
    expect(readdirSync(d)).toEqual([]);
  });

  it('a failure keeps the previous output intact', async () => {
    const d = freshDir();
    writeFileSync(path.join(d, 'm.onnx'), 'old');
    await expect(writeArtifact(artifact('file', [''], 1), path.join(d, 'm.onnx'))).rejects.toThrow();
    expect(readdirSync(d)).toEqual(['m.onnx']);
    expect(readFileSync(path.join(d, 'm.onnx'), 'utf8')).toBe('old');
  });

  it('directory artifacts replace the directory whole, and fail without trace', async () => {
    const d = freshDir();
    const out = path.join(d, 'tfjs');
    await writeArtifact(artifact('directory', ['model.json', 'group1-shard1of1.bin']), out);
    expect(readdirSync(out).sort()).toEqual(['effnet-manifest.json', 'group1-shard1of1.bin', 'model.json']);
    await writeArtifact(artifact('directory', ['model.json']), out);
    expect(readdirSync(out).sort()).toEqual(['effnet-manifest.json', 'model.json']);
    await expect(writeArtifact(artifact('directory', ['model.json', 'b.bin'], 3), out)).rejects.toThrow();
    expect(readdirSync(d)).toEqual(['tfjs']);
    expect(readdirSync(out).sort()).toEqual(['effnet-manifest.json', 'model.json']);
  });

  it.each([
    ['a missing directory', (d: string) => path.join(d, 'missing', 'm.onnx'), /cannot write .*m\.onnx: no such directory/],
    ['an existing directory', (d: string) => d, /cannot write .*: is a directory/],
    ['a path through a file', (d: string) => (writeFileSync(path.join(d, 'f'), ''), path.join(d, 'f', 'm.onnx')), /not a directory/],
    ['a directory that takes no new files (/proc)', () => '/proc/m.onnx', /cannot write \/proc\/m\.onnx: files cannot be created in that directory/],
  ])('%s is a UsageError with a clear message', async (_title, target, message) => {
    const d = freshDir();
    const p = (target as (d: string) => string)(d);
    const err = await writeArtifact(artifact('file', ['']), p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(message as RegExp);
  });

  it('SIGINT during a write removes the temporary and leaves no output', async () => {
    const compiled = path.join(repoRoot, 'dist/src/cli/output/write-artifact.js');
    expect(existsSync(compiled), 'needs the build (npm test runs tsc first)').toBe(true);
    const d = freshDir();
    // A child that writes an endless, slow stream of chunks, announcing on stdout once the temporary exists.
    const script = `
      import { writeArtifact } from ${JSON.stringify(compiled)};
      const chunk = new Uint8Array(1 << 20);
      let announced = false;
      await writeArtifact({ layout: 'file', summary: {}, files: [{ path: '', *chunks() {
        const pause = new Int32Array(new SharedArrayBuffer(4));
        for (;;) {
          if (!announced) { announced = true; process.stdout.write('writing\\n'); }
          Atomics.wait(pause, 0, 0, 20); // about 50 MB/s: slow enough not to fill the disk
          yield chunk;
        }
      } }] }, ${JSON.stringify(path.join(d, 'm.onnx'))});`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    await new Promise((r) => setTimeout(r, 200));
    expect(readdirSync(d).length).toBe(1); // the temporary
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(130);
    expect(readdirSync(d)).toEqual([]);
  }, 30_000);
});
