/**
 * grid --eval's scratch directory (the candidate specs it hands to the command) is named after effnet's pid,
 * and holds the process group id of the running evaluation. A run killed with SIGKILL cannot clean up; the
 * next run removes the scratch directories of dead runs and stops the evaluations they left running. An
 * evaluation is stopped only if one of its processes still names the scratch directory on its command line,
 * so a process group id reused by an unrelated program is never signalled.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive } from './output/temporaries.js';

const PREFIX = 'effnet-grid-';
const PGID_FILE = 'eval.pgid';

export function createScratch(): string {
  return mkdtempSync(join(tmpdir(), `${PREFIX}${process.pid}-`));
}

export function recordEvaluation(dir: string, pgid: number): void {
  writeFileSync(join(dir, PGID_FILE), String(pgid));
}

/** Whether some process of group `pgid` has `dir` on its command line (Linux /proc; elsewhere: no). */
function groupNames(pgid: number, dir: string): boolean {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return false;
  }
  for (const pid of pids) {
    try {
      // Field 5 of /proc/PID/stat is the process group; the name field before it may hold spaces.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir)) return true;
    } catch {
      // The process ended while we looked.
    }
  }
  return false;
}

/** Removes what dead grid runs left: scratch directories, and the evaluations still running in them. */
export function cleanDeadScratch(): void {
  let names: string[];
  try {
    names = readdirSync(tmpdir());
  } catch {
    return;
  }
  for (const name of names) {
    const m = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
    if (!m || processAlive(Number(m[1]))) continue;
    const dir = join(tmpdir(), name);
    try {
      const pgid = Number(readFileSync(join(dir, PGID_FILE), 'utf8'));
      if (pgid > 1 && groupNames(pgid, dir)) process.kill(-pgid, 'SIGKILL');
    } catch {
      // No evaluation was running, or it is gone.
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
