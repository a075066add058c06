/**
 * Random-access bytes for the checkpoint readers. A reader asks for the ranges it needs (a header, one
 * tensor) instead of taking the whole file, which is how a 266 MB checkpoint opens without being loaded.
 *
 * fileSource is the only place the readers touch the file system (fs.openSync/readSync); everything else in
 * src/checkpoint/ is a pure function of the bytes. open-checkpoint.ts's openCheckpointPath, the CLI edge,
 * decides which files to open.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CheckpointError } from './checkpoint.js';

/** Random-access bytes: a file opened by the CLI edge, or a buffer in tests. Reads are synchronous. */
export interface ByteSource {
  readonly size: number;
  /** `length` bytes at `offset`; the result may be a view of the source's memory and must not be modified. */
  read(offset: number, length: number): Uint8Array;
}

/** Several sources read as one (TF.js shards); `partSizes` lets a reader check each part's length. */
export interface ConcatenatedSource extends ByteSource {
  readonly partSizes: readonly number[];
}

function checkRange(offset: number, length: number, size: number, what: string): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new CheckpointError(`cannot read ${length} bytes at offset ${offset}: the ${what} holds only ${size} bytes`);
  }
}

export function bufferSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.byteLength,
    read(offset, length) {
      checkRange(offset, length, bytes.byteLength, 'buffer');
      return bytes.subarray(offset, offset + length);
    },
  };
}

/**
 * A file read with positioned reads (no stream, no mmap): each read allocates exactly the bytes asked for.
 * The size is taken at open; a file that shrinks afterwards gives a CheckpointError, never short data.
 */
export function fileSource(path: string): ByteSource & { close(): void } {
  const fd = openSync(path, 'r');
  let size: number;
  try {
    size = fstatSync(fd).size;
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  let open = true;
  return {
    size,
    read(offset, length) {
      if (!open) throw new CheckpointError(`${path} was read after it was closed`);
      checkRange(offset, length, size, `file ${path}`);
      // A fresh ArrayBuffer per read (not Buffer's shared pool), so typed-array views of the result are aligned.
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const n = readSync(fd, out, done, length - done, offset + done);
        if (n === 0) throw new CheckpointError(`${path} ended at byte ${offset + done} while reading ${length} bytes at offset ${offset}: the file was truncated after it was opened`);
        done += n;
      }
      return out;
    },
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

export function concatSources(parts: readonly ByteSource[]): ConcatenatedSource {
  const starts: number[] = [];
  let size = 0;
  for (const p of parts) {
    starts.push(size);
    size += p.size;
  }
  const partSizes = parts.map((p) => p.size);
  return {
    size,
    partSizes,
    read(offset, length) {
      checkRange(offset, length, size, 'concatenated sources');
      if (length === 0) return new Uint8Array(0);
      // The last part that starts at or before the offset (skipping empty parts).
      let i = 0;
      while (i + 1 < parts.length && starts[i + 1]! <= offset) i++;
      const first = parts[i]!;
      const within = offset - starts[i]!;
      if (within + length <= first.size) return first.read(within, length);
      const out = new Uint8Array(length);
      let done = 0;
      for (; done < length; i++) {
        const from = offset + done - starts[i]!;
        const n = Math.min(parts[i]!.size - from, length - done);
        if (n > 0) out.set(parts[i]!.read(from, n), done);
        done += n;
      }
      return out;
    },
  };
}
