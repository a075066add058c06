/**
 * Writes a backend's Artifact so that a reader only ever sees the old output or the complete new one.
 *
 * - 'file': each file goes to a temporary beside the target, is flushed to disk (fsync) and renamed into place,
 *   side files first (they are content-addressed, so a new side file never replaces an old one that the old
 *   model still names), the model last; superseded side files are removed after.
 * - 'directory': the whole directory, its effnet manifest included, is built as a temporary directory and
 *   renamed over the target (the old one moved aside first, and removed once the new one is in).
 *
 * The overwrite rule (output-path.ts) is applied before anything is produced. A failure, SIGINT or SIGTERM
 * removes the temporaries; SIGKILL cannot, so every write first cleans what dead runs left for the same output
 * (temporaries.ts). Errors come out as UsageError (the path cannot be written) or IoError (the disk is full,
 * another process won a race), always naming the path.
 */
import { closeSync, fchmodSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Artifact } from '../../../backends/backend.js';
import { sideFilePattern } from '../../../backends/content-addressed.js';
import { errnoOf, IoError, writeError } from './fs-errors.js';
import { faultAfterBytes, faultPoint } from './fault-points.js';
import { manifestBytes, MANIFEST_NAME } from './manifest.js';
import { outputTarget, type OutputTarget } from './output-path.js';
import { cleanStaleTemporaries, createTempDir, createTempFile, tempPath } from './temporaries.js';

export interface WriteResult {
  /** Bytes written over all files. */
  readonly bytes: number;
  /** The final paths, in the artifact's order (the manifest of a directory not included). */
  readonly paths: readonly string[];
}

/** Called with the bytes written so far, after every chunk (progress bars). */
export type OnProgress = (bytesWritten: number) => void;

export interface WriteOptions {
  readonly onProgress?: OnProgress;
  /** Where `-o -` goes: standard output, as bytes. */
  readonly stdout?: (bytes: Uint8Array) => Promise<void>;
  /** Paths the command reads: an output that is one of them, or inside one, is refused. */
  readonly inputs?: readonly string[];
}

/** New files get the permissions a plain create would give them; a replaced file keeps its own. */
function finalMode(target: OutputTarget, kind: 'file' | 'directory'): number {
  if (target.mode !== undefined) return target.mode;
  // process.umask() read without setting it: the only way Node offers to learn the umask.
  return (kind === 'file' ? 0o666 : 0o777) & ~process.umask();
}

/** Byte accounting across the files of one artifact, for progress and the write@N fault point. */
class Counter {
  total = 0;
  constructor(private readonly onProgress?: OnProgress) {}
  add(n: number): void {
    this.total += n;
    this.onProgress?.(this.total);
    faultAfterBytes(this.total);
  }
}

/**
 * Streams chunks to an open file and flushes it to disk. Synchronous writes are the fastest way to push
 * hundreds of MB, but the event loop gets a turn after every MB so that a SIGINT handler can run.
 */
async function writeChunks(fd: number, chunks: Iterable<Uint8Array>, counter: Counter): Promise<number> {
  let total = 0;
  let sinceYield = 0;
  for (const chunk of chunks) {
    let done = 0;
    while (done < chunk.byteLength) done += writeSync(fd, chunk, done, chunk.byteLength - done);
    total += done;
    sinceYield += done;
    counter.add(done);
    if (sinceYield >= 1 << 20) {
      sinceYield = 0;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  fsyncSync(fd);
  return total;
}

/** Flushes a directory's entries (the renames into it) to disk; some file systems cannot, which is harmless. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Not supported here (some network and Windows file systems): the data itself was synced.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
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

export async function writeArtifact(artifact: Artifact, out: string | OutputTarget, options: WriteOptions = {}): Promise<WriteResult> {
  const target = typeof out === 'string' ? outputTarget(out, artifact.layout, options.inputs) : out;
  const counter = new Counter(options.onProgress);
  if (target.stdout) return writeStdout(artifact, target, counter, options);
  // The symlink's target may have leftovers of its own (outputTarget cleaned those of the path given).
  if (target.path !== target.shown) cleanStaleTemporaries(target.path);
  return artifact.layout === 'file' ? writeFiles(artifact, target, counter) : writeDirectory(artifact, target, counter);
}

async function writeStdout(artifact: Artifact, target: OutputTarget, counter: Counter, options: WriteOptions): Promise<WriteResult> {
  if (artifact.files.length !== 1 || artifact.files[0]!.path !== '') throw new IoError(`cannot write ${target.shown}: this output has side files; give a file path`);
  if (!options.stdout) throw new Error('internal: no standard output to write to');
  for (const chunk of artifact.files[0]!.chunks()) {
    await options.stdout(chunk);
    counter.add(chunk.byteLength);
  }
  return { bytes: counter.total, paths: [target.shown] };
}

async function writeFiles(artifact: Artifact, target: OutputTarget, counter: Counter): Promise<WriteResult> {
  const dir = dirname(target.path);
  const mode = finalMode(target, 'file');
  return withTemporaries(async (track) => {
    const done: { temp: string; final: string; main: boolean }[] = [];
    for (const file of artifact.files) {
      let temp: { path: string; fd: number };
      try {
        temp = createTempFile(target.path);
      } catch (e) {
        throw writeError(e, target.shown);
      }
      track(temp.path);
      try {
        await writeChunks(temp.fd, file.chunks(), counter);
        fchmodSync(temp.fd, mode);
      } catch (e) {
        throw writeError(e, target.shown);
      } finally {
        closeSync(temp.fd);
      }
      // Read after the bytes: a content-addressed side file is named by them.
      done.push({ temp: temp.path, final: file.path === '' ? target.path : join(dir, file.path), main: file.path === '' });
    }
    faultPoint('before-rename');
    const order = [...done.filter((f) => !f.main), ...done.filter((f) => f.main)];
    for (const [i, f] of order.entries()) {
      if (i > 0) faultPoint('between-renames');
      try {
        renameSync(f.temp, f.final);
      } catch (e) {
        throw writeError(e, f.final === target.path ? target.shown : f.final);
      }
    }
    faultPoint('after-rename');
    removeSupersededSideFiles(target.path, new Set(done.map((f) => basename(f.final))));
    syncDirectory(dir);
    return { bytes: counter.total, paths: done.map((f) => (f.main ? target.shown : join(dirname(target.shown), basename(f.final)))) };
  });
}

/** Side files of this output that the file now in place no longer names (left by an earlier write). */
function removeSupersededSideFiles(target: string, keep: ReadonlySet<string>): void {
  const pattern = sideFilePattern(basename(target));
  let names: string[] = [];
  try {
    names = readdirSync(dirname(target));
  } catch {
    return;
  }
  for (const name of names) {
    if (pattern.test(name) && !keep.has(name)) rmSync(join(dirname(target), name), { force: true });
  }
}

async function writeDirectory(artifact: Artifact, target: OutputTarget, counter: Counter): Promise<WriteResult> {
  return withTemporaries(async (track) => {
    let temp: string;
    try {
      temp = track(createTempDir(target.path));
    } catch (e) {
      throw writeError(e, target.shown);
    }
    const paths: string[] = [];
    try {
      for (const [i, file] of artifact.files.entries()) {
        // Each file is written under a scratch name and renamed once complete, so a content-addressed one
        // (the ONNX side file of --target all) gets the name its bytes give it.
        const partial = join(temp, `.partial-${i}`);
        const fd = openSync(partial, 'wx', 0o644);
        try {
          await writeChunks(fd, file.chunks(), counter);
        } finally {
          closeSync(fd);
        }
        const final = join(temp, file.path);
        mkdirSync(dirname(final), { recursive: true });
        renameSync(partial, final);
        paths.push(file.path);
      }
      const manifest = openSync(join(temp, MANIFEST_NAME), 'wx', 0o644);
      try {
        await writeChunks(manifest, [manifestBytes(paths)], counter);
      } finally {
        closeSync(manifest);
      }
      for (const sub of new Set(paths.map((p) => dirname(join(temp, p))))) syncDirectory(sub);
      fchmodDir(temp, finalMode(target, 'directory'));
    } catch (e) {
      throw writeError(e, target.shown);
    }
    faultPoint('before-rename');
    swapInto(temp, target);
    syncDirectory(dirname(target.path));
    return { bytes: counter.total, paths: paths.map((p) => join(target.shown, p)) };
  });
}

function fchmodDir(dir: string, mode: number): void {
  const fd = openSync(dir, 'r');
  try {
    fchmodSync(fd, mode);
  } finally {
    closeSync(fd);
  }
}

/** Puts the finished temporary directory at the target, moving an old one aside first and deleting it after. */
function swapInto(temp: string, target: OutputTarget): void {
  const raced = () => new IoError(`cannot write ${target.shown}: another process wrote it while this one was writing; it was left as the other process wrote it, and this run's output was discarded`);
  if (target.existing !== 'directory') {
    try {
      renameSync(temp, target.path);
    } catch (e) {
      const code = errnoOf(e);
      if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'EISDIR' || code === 'ENOTDIR') throw raced();
      throw writeError(e, target.shown);
    }
    return;
  }
  const old = tempPath(target.path, 'old');
  try {
    renameSync(target.path, old);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') throw raced();
    throw writeError(e, target.shown);
  }
  faultPoint('between-renames');
  try {
    renameSync(temp, target.path);
  } catch (e) {
    try {
      renameSync(old, target.path);
    } catch {
      // Another process put something there meanwhile; the old output stays at its aside name for the next run to restore.
    }
    const code = errnoOf(e);
    if (code === 'ENOTEMPTY' || code === 'EEXIST') throw raced();
    throw writeError(e, target.shown);
  }
  faultPoint('after-rename');
  rmSync(old, { recursive: true, force: true });
}
