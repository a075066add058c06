/**
 * Writes a backend's Artifact atomically: every file goes to a temporary name in its destination directory
 * (so the final rename never crosses file systems), and only when all bytes are on disk are they renamed into
 * place. A failure, SIGINT or SIGTERM removes the temporaries: the output path either holds the old file, or
 * the complete new one, never a partial file.
 *
 * Layouts: 'file' writes the file with path '' at `out`; any other file of the artifact (an ONNX external-data
 * side file) goes next to it, relative to `out`'s directory, and is renamed into place first, so the model is
 * never visible without its data. 'directory' builds a temporary directory and renames it to `out`.
 *
 * Errors: a path that cannot be written (missing directory, no permission, read-only, a directory where a file
 * should go) is the caller's mistake and throws UsageError (exit 2); anything else (disk full) is rethrown.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Artifact } from '../../backends/backend.js';
import { UsageError } from './io.js';

export interface WriteResult {
  /** Bytes written over all files. */
  readonly bytes: number;
  /** The final paths, in the artifact's order. */
  readonly paths: readonly string[];
}

const reasons: Readonly<Record<string, string>> = {
  ENOENT: 'no such directory',
  ENOTDIR: 'a component of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  EISDIR: 'is a directory',
  EEXIST: 'already exists',
};

/** Turns a path error into the CLI's usage error; other errors pass through unchanged. */
export function pathError(e: unknown, path: string): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === undefined || !reasons[code]) return e;
  // ENOENT in a directory that exists: a file system that takes no new files (such as /proc).
  const why = code === 'ENOENT' && kindOf(dirname(path)) === 'directory' ? 'files cannot be created in that directory' : reasons[code];
  return new UsageError(`cannot write ${path}: ${why}`);
}

const tempName = (target: string) => join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);

function kindOf(path: string): 'file' | 'directory' | 'missing' | 'other' {
  try {
    const s = statSync(path);
    return s.isDirectory() ? 'directory' : s.isFile() ? 'file' : 'other';
  } catch {
    return 'missing';
  }
}

/**
 * Streams chunks to a new file. Synchronous writes are the fastest way to push hundreds of MB, but the event
 * loop gets a turn after every large chunk so that a SIGINT handler can run and remove the temporary.
 */
/** Called with the bytes written so far, after every chunk (progress bars). */
export type OnProgress = (bytesWritten: number) => void;

let progressBase = 0;

async function writeChunks(path: string, chunks: Iterable<Uint8Array>, onProgress?: OnProgress): Promise<number> {
  const fd = openSync(path, 'wx');
  let total = 0;
  let sinceYield = 0;
  try {
    for (const chunk of chunks) {
      let done = 0;
      while (done < chunk.byteLength) done += writeSync(fd, chunk, done, chunk.byteLength - done);
      total += done;
      sinceYield += done;
      onProgress?.(progressBase + total);
      if (sinceYield >= 1 << 20) {
        sinceYield = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  } finally {
    closeSync(fd);
  }
  return total;
}

/** Runs `body` with temporaries that are removed if it throws or the process is interrupted. */
async function withTemporaries<T>(body: (track: (path: string) => string) => Promise<T>): Promise<T> {
  const temps: string[] = [];
  const cleanup = () => {
    for (const t of temps) {
      try {
        rmSync(t, { recursive: true, force: true });
      } catch {
        // Never created (its directory is unusable): nothing to remove, and the first error is the one to report.
      }
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    cleanup();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await body((p) => (temps.push(p), p));
  } catch (e) {
    cleanup();
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export async function writeArtifact(artifact: Artifact, out: string, onProgress?: OnProgress): Promise<WriteResult> {
  progressBase = 0;
  const progress = onProgress && ((n: number) => onProgress(n));
  return artifact.layout === 'file' ? writeFiles(artifact, out, progress) : writeDirectory(artifact, out, progress);
}

async function writeFiles(artifact: Artifact, out: string, onProgress?: OnProgress): Promise<WriteResult> {
  if (kindOf(out) === 'directory') throw new UsageError(`cannot write ${out}: is a directory`);
  const targets = artifact.files.map((f) => (f.path === '' ? out : join(dirname(out), f.path)));
  return withTemporaries(async (track) => {
    const temps: string[] = [];
    let bytes = 0;
    for (const [i, file] of artifact.files.entries()) {
      const temp = track(tempName(targets[i]!));
      try {
        progressBase = bytes;
        bytes += await writeChunks(temp, file.chunks(), onProgress);
      } catch (e) {
        throw pathError(e, targets[i]!);
      }
      temps.push(temp);
    }
    // Side files first: the main file must never appear without them.
    const order = [...targets.keys()].sort((a, b) => Number(artifact.files[a]!.path === '') - Number(artifact.files[b]!.path === ''));
    for (const i of order) {
      try {
        renameSync(temps[i]!, targets[i]!);
      } catch (e) {
        throw pathError(e, targets[i]!);
      }
    }
    return { bytes, paths: targets };
  });
}

async function writeDirectory(artifact: Artifact, out: string, onProgress?: OnProgress): Promise<WriteResult> {
  const existing = kindOf(out);
  if (existing === 'file' || existing === 'other') throw new UsageError(`cannot write ${out}: exists and is not a directory`);
  return withTemporaries(async (track) => {
    const temp = track(tempName(out));
    let bytes = 0;
    try {
      mkdirSync(temp);
      for (const file of artifact.files) {
        const path = join(temp, file.path);
        mkdirSync(dirname(path), { recursive: true });
        progressBase = bytes;
        bytes += await writeChunks(path, file.chunks(), onProgress);
      }
    } catch (e) {
      throw pathError(e, out);
    }
    try {
      if (existing === 'directory') {
        // Swap: move the old directory aside, the new one in, then delete the old one.
        const old = tempName(out);
        renameSync(out, old);
        try {
          renameSync(temp, out);
        } catch (e) {
          renameSync(old, out);
          throw e;
        }
        rmSync(old, { recursive: true, force: true });
      } else {
        renameSync(temp, out);
      }
    } catch (e) {
      throw pathError(e, out);
    }
    return { bytes, paths: artifact.files.map((f) => join(out, f.path)) };
  });
}
