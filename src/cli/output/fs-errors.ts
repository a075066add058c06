/**
 * What a failed file-system call means to the person who ran the command. A path the user chose that cannot
 * be written (missing directory, no permission, read-only) is their mistake: a UsageError, exit 2. A machine
 * that cannot take the output (disk full, quota, I/O error) or a race lost to another process is an IoError,
 * exit 1. Either way the message names the path and the reason, never an errno alone or a stack trace.
 */
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../io.js';

/** The output could not be written for a reason outside the command line; nothing partial was left. */
export class IoError extends Error {
  override readonly name = 'IoError';
}

const userMistakes: Readonly<Record<string, string>> = {
  ENOENT: 'no such directory',
  ENOTDIR: 'a component of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  EISDIR: 'is a directory',
  EEXIST: 'already exists',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
};

const machineFailures: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error',
  EFBIG: 'file too large for this file system',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  ENOTEMPTY: 'another process wrote it at the same time',
  EBUSY: 'the path is busy (a mount point or in use)',
  EXDEV: 'it is on another file system',
};

export const errnoOf = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | undefined)?.code;

/** A readable reason for an errno code: 'no space left on device'. */
export function reasonOf(code: string | undefined): string | undefined {
  return code === undefined ? undefined : userMistakes[code] ?? machineFailures[code];
}

/**
 * Turns a file-system error while writing `path` into UsageError or IoError; anything that is not an errno
 * error passes through unchanged (a bug, reported as one).
 */
export function writeError(e: unknown, path: string, suffix = 'nothing was written'): unknown {
  if (e instanceof UsageError || e instanceof IoError) return e;
  const code = errnoOf(e);
  if (code === undefined) return e;
  if (userMistakes[code]) {
    // ENOENT in a directory that exists: a file system that takes no new files (such as /proc).
    let why = userMistakes[code];
    if (code === 'ENOENT') {
      try {
        if (statSync(dirname(path)).isDirectory()) why = 'files cannot be created in that directory';
      } catch {
        // The directory is missing: the plain reason stands.
      }
    }
    return new UsageError(`cannot write ${path}: ${why}`);
  }
  return new IoError(`cannot write ${path}: ${machineFailures[code] ?? `${(e as Error).message}`}${suffix ? `; ${suffix}` : ''}`);
}
