/** Writes a small text output atomically: a temporary file beside the target, then a rename. */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from './io.js';
import { pathError } from './write-artifact.js';

export function writeTextAtomic(target: string, text: string): void {
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    const err = pathError(e, target);
    throw err instanceof UsageError ? err : new UsageError(`cannot write ${target}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}
