/** Byte sources: buffers, files (positioned reads) and concatenations read as one stream; reads out of range are CheckpointErrors. */
import { truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bufferSource, concatSources, fileSource } from '../../src/checkpoint/byte-source.js';
import { expectCheckpointError, tempDir } from './fixtures.js';

const bytes = Uint8Array.from({ length: 40 }, (_, i) => i);

describe('byte sources', () => {
  it('bufferSource reads ranges of the buffer', () => {
    const src = bufferSource(bytes);
    expect(src.size).toBe(40);
    expect([...src.read(3, 4)]).toEqual([3, 4, 5, 6]);
    expect(src.read(40, 0).byteLength).toBe(0);
  });

  it('fileSource reads with positioned reads and refuses reads after close', async () => {
    const file = path.join(tempDir('source'), 'bytes.bin');
    writeFileSync(file, bytes);
    const src = fileSource(file);
    expect(src.size).toBe(40);
    expect([...src.read(38, 2)]).toEqual([38, 39]);
    // Aligned, so typed-array views of a read work.
    expect(src.read(1, 8).byteOffset % 8).toBe(0);
    src.close();
    await expectCheckpointError(() => src.read(0, 1), /read after it was closed/);
  });

  it('fileSource reports a file truncated after it was opened', async () => {
    const file = path.join(tempDir('source'), 'shrinks.bin');
    writeFileSync(file, bytes);
    const src = fileSource(file);
    truncateSync(file, 10);
    await expectCheckpointError(() => src.read(5, 20), /ended at byte 10 .* truncated after it was opened/);
    src.close();
  });

  it.each([
    ['one part', [40], 5, 10],
    ['across two parts', [10, 30], 5, 10],
    ['across three parts with an empty one', [10, 0, 5, 25], 8, 20],
    ['at a part boundary', [10, 30], 10, 5],
    ['everything', [7, 13, 20], 0, 40],
  ])('concatSources reads %s', (_, sizes, offset, length) => {
    let at = 0;
    const parts = sizes.map((n) => bufferSource(bytes.subarray(at, (at += n))));
    const src = concatSources(parts);
    expect(src.size).toBe(40);
    expect(src.partSizes).toEqual(sizes);
    expect([...src.read(offset, length)]).toEqual([...bytes.subarray(offset, offset + length)]);
  });

  it.each([
    ['past the end', 35, 10],
    ['a negative offset', -1, 2],
    ['a fractional length', 0, 1.5],
  ])('every source refuses a read %s', async (_, offset, length) => {
    const file = path.join(tempDir('source'), 'bytes.bin');
    writeFileSync(file, bytes);
    const f = fileSource(file);
    for (const src of [bufferSource(bytes), f, concatSources([bufferSource(bytes.subarray(0, 20)), bufferSource(bytes.subarray(20))])]) {
      await expectCheckpointError(() => src.read(offset, length), /cannot read .* holds only 40 bytes/);
    }
    f.close();
    expect(concatSources([]).read(0, 0).byteLength).toBe(0);
  });
});
