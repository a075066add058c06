/**
 * Temporary files and directories beside an output, named so that nobody can predict them and the next run
 * can tell whose they are: `.NAME.effnet-tmp-PID-RANDOM` (being written) and `.NAME.effnet-old-PID-RANDOM`
 * (an old output moved aside during a swap). Files are created exclusively ('wx', never through a planted
 * link) with mode 0600 until they are complete. A run killed with SIGKILL cannot clean up after itself, so
 * every write first removes the temporaries of dead runs for the same output, and puts back an old output
 * whose swap was cut off.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, openSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const tag = (kind: 'tmp' | 'old') => `effnet-${kind}`;

export function tempPath(target: string, kind: 'tmp' | 'old' = 'tmp'): string {
  return join(dirname(target), `.${basename(target)}.${tag(kind)}-${process.pid}-${randomBytes(6).toString('hex')}`);
}

/** A new file for writing: exclusive creation, readable by the owner only until it is renamed into place. */
export function createTempFile(target: string): { path: string; fd: number } {
  const path = tempPath(target);
  return { path, fd: openSync(path, 'wx', 0o600) };
}

/** A new directory (mkdtemp: exclusive, mode 0700). */
export function createTempDir(target: string): string {
  return mkdtempSync(join(dirname(target), `.${basename(target)}.${tag('tmp')}-${process.pid}-`));
}

/** Whether a process of that id exists (another user's counts: EPERM). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Removes what dead runs left for `target`: their temporaries, and an old output moved aside, which is put
 * back when the swap was cut off before the new output arrived (so a crash never loses the old output).
 */
export function cleanStaleTemporaries(target: string): void {
  const dir = dirname(target);
  const re = new RegExp(`^\\.${escapeRe(basename(target))}\\.effnet-(tmp|old)-(\\d+)-[0-9a-zA-Z]+$`);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // the directory is missing or unreadable: the write itself will say so
  }
  for (const name of names) {
    const m = re.exec(name);
    if (!m || processAlive(Number(m[2]))) continue;
    const path = join(dir, name);
    try {
      if (m[1] === 'old' && !existsSync(target)) renameSync(path, target);
      else rmSync(path, { recursive: true, force: true });
    } catch {
      // Another run got there first, or it is not ours to remove: leave it.
    }
  }
}
