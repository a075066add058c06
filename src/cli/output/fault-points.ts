/**
 * Deterministic kill points for the fault tests: with EFFNET_FAULT set, the writer SIGKILLs its own process
 * at a named step, or once a number of bytes has been written, so a test can check what a crash at exactly
 * that moment leaves on disk (no timer races). Unset, every check is one comparison.
 *
 *   EFFNET_FAULT=before-rename           after every temporary is complete, before anything is renamed
 *   EFFNET_FAULT=between-renames         after the first rename of a set, before the next one
 *   EFFNET_FAULT=after-rename            after the new output is in place, before old files are removed
 *   EFFNET_FAULT=write@1000000           once 1,000,000 bytes have been written (all files together)
 *   EFFNET_FAULT=wait-before-rename      no kill: wait before renaming until the file EFFNET_FAULT_RELEASE
 *                                        exists (two runs racing to one output, made to meet)
 */
import { existsSync } from 'node:fs';

const spec = process.env.EFFNET_FAULT;
const atBytes = spec?.startsWith('write@') ? Number(spec.slice('write@'.length)) : undefined;

export type FaultPoint = 'before-rename' | 'between-renames' | 'after-rename';

export function faultPoint(point: FaultPoint): void {
  if (spec === point) process.kill(process.pid, 'SIGKILL');
  if (point === 'before-rename' && spec === 'wait-before-rename') {
    const release = process.env.EFFNET_FAULT_RELEASE ?? '';
    const pause = new Int32Array(new SharedArrayBuffer(4));
    for (let i = 0; i < 6000 && !existsSync(release); i++) Atomics.wait(pause, 0, 0, 10);
  }
}

export function faultAfterBytes(total: number): void {
  if (atBytes !== undefined && total >= atBytes) process.kill(process.pid, 'SIGKILL');
}
