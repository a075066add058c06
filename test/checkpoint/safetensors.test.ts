/**
 * safetensors: files written by hand here and by a few lines of Python (JSON header + raw bytes, as the
 * format's README describes) read back with their values; open reads only the header, toFloat32 only its
 * tensor; every malformed header is a CheckpointError that says what and where.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bufferSource, type ByteSource } from '../../src/checkpoint/byte-source.js';
import { MAX_HEADER_BYTES, readSafetensors } from '../../src/checkpoint/safetensors.js';
import {
  concat, expectCheckpointError, f32Bytes, f64Bytes, i64Bytes, python, runPython, safetensorsFile, safetensorsRaw, tempDir, u16Bytes, u64, utf8,
} from './fixtures.js';

const tensors = [
  { name: 'conv.weight', dtype: 'F32', shape: [2, 1, 1, 2], bytes: f32Bytes([0.5, -1.25, 3, 1e-8]) },
  { name: 'half', dtype: 'F16', shape: [3], bytes: u16Bytes([0x3c00, 0xc000, 0x3555]) },
  { name: 'brain', dtype: 'BF16', shape: [2], bytes: u16Bytes([0x3f80, 0xc040]) },
  { name: 'double', dtype: 'F64', shape: [2], bytes: f64Bytes([0.1, -2]) },
  { name: 'bn.num_batches_tracked', dtype: 'I64', shape: [], bytes: i64Bytes([7n]) },
  { name: 'mask', dtype: 'BOOL', shape: [2], bytes: Uint8Array.of(1, 0) },
  { name: '10', dtype: 'F32', shape: [0], bytes: new Uint8Array(0) },
];
const expected: Record<string, number[]> = {
  'conv.weight': [0.5, -1.25, 3, Math.fround(1e-8)],
  half: [1, -2, 0.333251953125],
  brain: [1, -3],
  double: [Math.fround(0.1), -2],
  '10': [],
};

/** A source that counts the bytes read, to show what open and toFloat32 touch. */
function counting(bytes: Uint8Array): ByteSource & { bytesRead: number } {
  const inner = bufferSource(bytes);
  const src = {
    size: inner.size,
    bytesRead: 0,
    read(offset: number, length: number) {
      src.bytesRead += length;
      return inner.read(offset, length);
    },
  };
  return src;
}

describe('readSafetensors', () => {
  it('reads a hand-written file: names in header order, shapes, dtypes, metadata, values', () => {
    const ckpt = readSafetensors(bufferSource(safetensorsFile(tensors, { format: 'pt', note: 'hand-made' })));
    expect(ckpt.format).toBe('safetensors');
    expect(ckpt.metadata).toEqual({ format: 'pt', note: 'hand-made' });
    // Header order, even for an integer-like name that Object.keys would move to the front.
    expect([...ckpt.tensors.keys()]).toEqual(tensors.map((t) => t.name));
    for (const t of tensors) {
      const c = ckpt.tensors.get(t.name)!;
      expect([c.name, c.dtype, c.shape]).toEqual([t.name, t.dtype, t.shape]);
      if (expected[t.name]) expect([...c.toFloat32()]).toEqual(expected[t.name]);
    }
  });

  it('lists integer and bool tensors but does not convert them', async () => {
    const ckpt = readSafetensors(bufferSource(safetensorsFile(tensors)));
    await expectCheckpointError(() => ckpt.tensors.get('bn.num_batches_tracked')!.toFloat32(), /'bn.num_batches_tracked' holds I64 values, not floats/);
    await expectCheckpointError(() => ckpt.tensors.get('mask')!.toFloat32(), /holds BOOL values/);
  });

  it('open reads only the header; toFloat32 reads only its tensor', () => {
    const big = { name: 'big', dtype: 'F32', shape: [1000, 100], bytes: f32Bytes(Array.from({ length: 100_000 }, (_, i) => i)) };
    const bytes = safetensorsFile([big, ...tensors]);
    const src = counting(bytes);
    const ckpt = readSafetensors(src);
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(src.bytesRead).toBe(8 + headerLength);
    src.bytesRead = 0;
    expect([...ckpt.tensors.get('half')!.toFloat32()]).toEqual(expected.half);
    expect(src.bytesRead).toBe(6);
    src.bytesRead = 0;
    expect(ckpt.tensors.get('big')!.toFloat32()[99_999]).toBe(99_999);
    expect(src.bytesRead).toBe(400_000);
  });

  it.skipIf(!existsSync(python))('reads the same tensors written by Python (json header + struct-packed bytes)', () => {
    const file = path.join(tempDir('safetensors'), 'py.safetensors');
    runPython([
      'import json, struct, sys',
      'tensors = [("conv.weight", "F32", [2, 1, 1, 2], struct.pack("<4f", 0.5, -1.25, 3, 1e-8)),',
      '           ("half", "F16", [3], struct.pack("<3e", 1, -2, 1 / 3)),',
      // bfloat16 by truncating float32 bits (both values are exact in bf16).
      '           ("brain", "BF16", [2], b"".join(struct.pack("<f", v)[2:] for v in (1, -3))),',
      '           ("double", "F64", [2], struct.pack("<2d", 0.1, -2)),',
      '           ("bn.num_batches_tracked", "I64", [], struct.pack("<q", 7)),',
      '           ("mask", "BOOL", [2], bytes([1, 0])),',
      '           ("10", "F32", [0], b"")]',
      'header, at = {"__metadata__": {"format": "pt"}}, 0',
      'for name, dtype, shape, data in tensors:',
      '    header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [at, at + len(data)]}',
      '    at += len(data)',
      'h = json.dumps(header).encode()',
      'h += b" " * (-len(h) % 8)',
      'with open(sys.argv[1], "wb") as f:',
      '    f.write(struct.pack("<Q", len(h)) + h + b"".join(t[3] for t in tensors))',
    ].join('\n'), file);
    const ckpt = readSafetensors(bufferSource(readFileSync(file)));
    expect(ckpt.metadata).toEqual({ format: 'pt' });
    expect([...ckpt.tensors.keys()]).toEqual(tensors.map((t) => t.name));
    for (const [name, values] of Object.entries(expected)) expect([...ckpt.tensors.get(name)!.toFloat32()], name).toEqual(values);
    // The same dtypes and shapes as the file written in TypeScript.
    expect([...ckpt.tensors.values()].map((t) => [t.dtype, t.shape])).toEqual(tensors.map((t) => [t.dtype, t.shape]));
  });

  const f32 = (name: string, begin: number, end: number, shape = [(end - begin) / 4]) => `"${name}":{"dtype":"F32","shape":${JSON.stringify(shape)},"data_offsets":[${begin},${end}]}`;
  const eight = new Uint8Array(8);

  it.each([
    ['a file shorter than the length field', Uint8Array.of(1, 2, 3), /the file is 3 bytes, too short/],
    ['a header length past the end of the file', concat([u64(500), utf8('{}')]), /header length at byte 0 says 500 bytes, but only 2 bytes follow it/],
    ['a declared header over 100 MB (refused before reading)', concat([u64(MAX_HEADER_BYTES + 1), utf8('{}')]), /says 100000001 bytes, more than the format's limit .* refusing to read it/],
    ['a header length of 2^63', concat([u64(2 ** 63), utf8('{}')]), /more than the format's limit/],
    ['a header that is not UTF-8', concat([u64(3), Uint8Array.of(0x7b, 0xff, 0x7d)]), /not valid UTF-8/],
    ['a header not opening with {', safetensorsRaw(' {}'), /must start with '\{'/],
    ['JSON that does not parse', safetensorsRaw('{"a": '), /does not parse/],
    ['JSON that is an array, not an object', safetensorsRaw('[1, 2]'), /must start with '\{', found "\[1, 2\]"/],
    ['a tensor entry that is not an object', safetensorsRaw('{"w": 5}'), /tensor 'w': the header entry is not an object/],
    ['an unknown dtype (F8_E4M3)', safetensorsRaw('{"w":{"dtype":"F8_E4M3","shape":[4],"data_offsets":[0,4]}}', new Uint8Array(4)), /tensor 'w': dtype F8_E4M3 is not supported/],
    ['a negative dimension', safetensorsRaw(`{${f32('w', 0, 8, [2, -1])}}`, eight), /tensor 'w': shape \[2,-1\] is not a list of non-negative integers/],
    ['a fractional dimension', safetensorsRaw(`{${f32('w', 0, 8, [2.5])}}`, eight), /shape \[2.5\] is not/],
    ['data_offsets that are not a pair', safetensorsRaw('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0]}}', eight), /data_offsets \[0\] is not a pair/],
    ['data_offsets that end before they begin', safetensorsRaw('{"w":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}', eight), /data_offsets \[8, 0\] end before they begin/],
    ['data_offsets past the data section', safetensorsRaw(`{${f32('w', 0, 16)}}`, eight), /data_offsets \[0, 16\] run past the end of the data section, which holds 8 bytes/],
    ['a byte length that disagrees with the shape', safetensorsRaw(`{${f32('w', 0, 8, [3])}}`, eight), /span 8 bytes, but shape \[3\] of F32 needs 12/],
    ['overlapping tensors', safetensorsRaw(`{${f32('a', 0, 8)},${f32('b', 4, 12)}}`, new Uint8Array(12)), /tensors 'a' \[0, 8\] and 'b' \[4, 12\] overlap/],
    ['a hole between tensors', safetensorsRaw(`{${f32('a', 0, 4)},${f32('b', 8, 12)}}`, new Uint8Array(12)), /bytes 4 to 8 of the data section belong to no tensor; the format forbids holes/],
    ['trailing bytes after the last tensor', safetensorsRaw(`{${f32('a', 0, 4)}}`, eight), /bytes 4 to 8 .* belong to no tensor/],
    ['a repeated tensor name', safetensorsRaw(`{${f32('a', 0, 4)},${f32('a', 0, 4)}}`, new Uint8Array(4)), /names 'a' twice/],
    ['a non-string metadata value', safetensorsRaw('{"__metadata__":{"epoch":3}}'), /__metadata__ value 'epoch' is 3, but the format allows only strings/],
    ['metadata that is not an object', safetensorsRaw('{"__metadata__":"x"}'), /__metadata__ must be an object/],
  ])('refuses %s', async (_, bytes, message) => {
    await expectCheckpointError(() => readSafetensors(bufferSource(bytes)), message);
  });

  it('accepts an empty file ({} padded with spaces) and zero-size tensors', () => {
    expect(readSafetensors(bufferSource(safetensorsRaw('{}      '))).tensors.size).toBe(0);
    const ckpt = readSafetensors(bufferSource(safetensorsRaw(`{${f32('e', 0, 0, [0, 3])},${f32('a', 0, 4)}}`, new Uint8Array(4))));
    expect(ckpt.tensors.get('e')!.toFloat32().length).toBe(0);
  });
});
