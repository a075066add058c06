/** Writes a small text output atomically: a temporary file beside the target, then a rename. */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from './io.js';

export function writeTextAtomic(target: string, text: string): void {
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot write ${target}: ${code === 'ENOENT' ? 'no such directory' : code === 'EACCES' ? 'permission denied' : String(code ?? e)}`);
  }
}
