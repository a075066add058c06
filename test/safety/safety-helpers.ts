/** Helpers for the safety tests: fresh directories, the real CLI in a child process, and what a directory holds. */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers.js';

export const bin = path.join(repoRoot, 'bin/effnet.js');
export const builtCli = existsSync(path.join(repoRoot, 'dist/src/cli/main.js'));

/** A small, fast spec (the README's front page model): 81k parameters at 64x64. */
export const TINY = `model tiny {
  input       64x64x3
  classes     10
  activation  swish
  stem conv channels 16 kernel 3 stride 2
  stages {
    mbconv  1  16  3  1  expand 1 se 0.25
    mbconv  2  24  3  2  expand 6 se 0.25
  }
  head conv channels 64 kernel 1
  classifier dropout 0.2
}
`;

export function freshDir(tag: string): string {
  return mkdtempSync(path.join(tmpdir(), `effnet-safety-${tag}-`));
}

export function writeSpec(dir: string, name = 'tiny.effnet', text = TINY): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

export interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly raw: SpawnSyncReturns<Buffer>;
}

/** Runs `effnet ARGS` as a user would, in `cwd`, with extra environment (EFFNET_FAULT). */
export function effnet(args: readonly string[], options: { cwd?: string; env?: Record<string, string>; input?: string | Uint8Array } = {}): Run {
  const raw = spawnSync(process.execPath, [bin, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    ...(options.input !== undefined ? { input: options.input } : {}),
    timeout: 120_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: raw.status, signal: raw.signal, stdout: raw.stdout.toString('utf8'), stderr: raw.stderr.toString('utf8'), raw };
}

/** Every entry below dir (directories with a trailing '/'), sorted: a snapshot to compare before and after. */
export function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = lstatSync(p);
      if (st.isDirectory()) {
        out.push(`${rel}${name}/`);
        walk(p, `${rel}${name}/`);
      } else out.push(`${rel}${name}`);
    }
  };
  walk(dir, '');
  return out;
}

/** File contents of a directory, for an "untouched" check (FIFOs, sockets and devices by kind: reading would block). */
export function contents(dir: string): Record<string, string> {
  return Object.fromEntries(tree(dir).filter((f) => !f.endsWith('/')).map((f) => {
    const p = path.join(dir, f);
    const st = lstatSync(p);
    if (st.isSymbolicLink()) return [f, `-> ${readlinkSync(p)}`];
    if (!st.isFile()) return [f, `special ${st.mode.toString(8)}`];
    return [f, `${(st.mode & 0o7777).toString(8)} ${readFileSync(p).toString('base64')}`];
  }));
}

export const isRoot = process.getuid?.() === 0;

/** Runs a shell command, true when it succeeded (mount, mknod need root). */
export function sh(command: string): boolean {
  return spawnSync('sh', ['-c', command], { stdio: 'ignore' }).status === 0;
}
