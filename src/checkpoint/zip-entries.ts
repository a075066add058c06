/**
 * The entries of a zip archive held in a ByteSource, for torch.save files. yauzl, a maintained zip reader,
 * parses the central directory (end-of-directory search, zip64, file-name checks); it is handed a
 * RandomAccessReader over the ByteSource, so nothing but the directory is read at open. Entry data is then
 * read synchronously straight from the source: torch.save writes every entry STORED, so a tensor's bytes sit
 * at a fixed offset after the entry's local file header.
 *
 * DEFLATE entries (an archive re-zipped by another tool) are inflated on demand, and never past the size
 * the directory declares: a zip bomb, whose data inflates far beyond its declared size, is an error after
 * at most that many bytes, never a memory blow-up. A declared size that DEFLATE could not even produce from
 * the compressed bytes (more than 1032:1) is refused at open.
 */
import { inflateRawSync } from 'node:zlib';
import yauzl from 'yauzl';
import type { ByteSource } from './byte-source.js';
import { CheckpointError } from './checkpoint.js';

export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflated; anything else is refused when the entry is read. */
  readonly method: number;
  readonly compressedSize: number;
  /** The uncompressed size the directory declares. */
  readonly size: number;
  readonly localHeaderOffset: number;
}

/** DEFLATE's largest possible expansion (a stream of maximal-length back-references), plus slack for tiny entries. */
const maxInflateRatio = 1032;

/** yauzl's reader interface over a ByteSource. Reads complete in a microtask, so listing never recurses deeply. */
class SourceReader extends yauzl.RandomAccessReader {
  constructor(private readonly src: ByteSource) {
    super();
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null, bytesRead?: number) => void): void {
    let error: Error | null = null;
    try {
      buffer.set(this.src.read(position, length), offset);
    } catch (e) {
      error = e as Error;
    }
    queueMicrotask(() => callback(error, error ? 0 : length));
  }
}

const zipError = (e: unknown) => (e instanceof CheckpointError ? e : new CheckpointError(`not a readable zip archive: ${(e as Error).message}`));

/** The archive's entries by name, in directory order. A name given twice is refused (it would be ambiguous). */
export function listZipEntries(src: ByteSource): Promise<ReadonlyMap<string, ZipEntry>> {
  return new Promise((resolve, reject) => {
    const options = { lazyEntries: true, autoClose: false, decodeStrings: true, validateEntrySizes: true, strictFileNames: true };
    try {
      yauzl.fromRandomAccessReader(new SourceReader(src), src.size, options, (err, zip) => {
        if (err) return reject(zipError(err));
        const entries = new Map<string, ZipEntry>();
        zip.on('error', (e) => reject(zipError(e)));
        zip.on('end', () => {
          zip.close();
          resolve(entries);
        });
        zip.on('entry', (e: yauzl.Entry) => {
          if (entries.has(e.fileName)) {
            zip.close();
            return reject(new CheckpointError(`the zip archive has two entries named ${e.fileName}`));
          }
          if (e.isEncrypted()) {
            zip.close();
            return reject(new CheckpointError(`zip entry ${e.fileName} is encrypted`));
          }
          if (e.compressionMethod === 8 && e.uncompressedSize > e.compressedSize * maxInflateRatio + 1024) {
            zip.close();
            return reject(new CheckpointError(`zip entry ${e.fileName} declares ${e.uncompressedSize} bytes from ${e.compressedSize} compressed bytes, more than DEFLATE can produce (a damaged file or a zip bomb)`));
          }
          entries.set(e.fileName, { name: e.fileName, method: e.compressionMethod, compressedSize: e.compressedSize, size: e.uncompressedSize, localHeaderOffset: e.relativeOffsetOfLocalHeader });
          zip.readEntry();
        });
        zip.readEntry();
      });
    } catch (e) {
      reject(zipError(e));
    }
  });
}

/** Where the entry's data starts: after its local file header, whose name and extra field lengths can differ from the directory's. */
export function entryDataOffset(src: ByteSource, entry: ZipEntry): number {
  if (entry.localHeaderOffset + 30 > src.size) throw new CheckpointError(`zip entry ${entry.name}: its local header at byte ${entry.localHeaderOffset} is past the end of the file`);
  const header = src.read(entry.localHeaderOffset, 30);
  const view = new DataView(header.buffer, header.byteOffset, 30);
  if (view.getUint32(0, true) !== 0x04034b50) throw new CheckpointError(`zip entry ${entry.name}: no local file header at byte ${entry.localHeaderOffset}`);
  const start = entry.localHeaderOffset + 30 + view.getUint16(26, true) + view.getUint16(28, true);
  if (start + entry.compressedSize > src.size) throw new CheckpointError(`zip entry ${entry.name}: its ${entry.compressedSize} bytes at byte ${start} run past the end of the file (truncated?)`);
  return start;
}

/**
 * `length` bytes at `offset` within the entry's uncompressed data. A stored entry is read in place; a deflated
 * one is inflated whole (capped at its declared size) and sliced.
 */
export function readEntryRange(src: ByteSource, entry: ZipEntry, dataOffset: number, offset: number, length: number): Uint8Array {
  if (offset + length > entry.size) throw new CheckpointError(`zip entry ${entry.name}: bytes ${offset} to ${offset + length} are past its ${entry.size} bytes`);
  if (entry.method === 0) return src.read(dataOffset + offset, length);
  if (entry.method !== 8) throw new CheckpointError(`zip entry ${entry.name} uses compression method ${entry.method}; only stored and DEFLATE entries can be read`);
  let inflated: Buffer;
  try {
    inflated = inflateRawSync(src.read(dataOffset, entry.compressedSize), { maxOutputLength: Math.max(entry.size, 1) });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new CheckpointError(`zip entry ${entry.name} inflates to more than the ${entry.size} bytes its header declares (a zip bomb or a damaged file); stopped there`);
    }
    throw new CheckpointError(`zip entry ${entry.name} does not inflate: ${(e as Error).message}`);
  }
  if (inflated.byteLength !== entry.size) throw new CheckpointError(`zip entry ${entry.name} inflates to ${inflated.byteLength} bytes, not the ${entry.size} its header declares`);
  return inflated.subarray(offset, offset + length);
}
