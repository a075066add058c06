/** float16 and bfloat16 decoding by hand, checked against known bit patterns; F32 and F64 little-endian. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeFloats, halfBitsToNumber } from '../../src/checkpoint/decode-floats.js';
import { expectCheckpointError, f32Bytes, f64Bytes, python, runPython, u16Bytes } from './fixtures.js';

describe('decodeFloats', () => {
  it.each([
    [0x0000, 0],
    [0x8000, -0],
    [0x3c00, 1],
    [0xc000, -2],
    [0x3555, 0.333251953125],
    [0x7bff, 65504],
    [0x0400, 2 ** -14],
    [0x0001, 2 ** -24],
    [0x03ff, 1023 * 2 ** -24],
    [0x7c00, Infinity],
    [0xfc00, -Infinity],
    [0x7e00, NaN],
  ])('float16 bits %s', (bits, value) => {
    expect(Object.is(halfBitsToNumber(bits), value)).toBe(true);
    expect(Object.is(decodeFloats('F16', u16Bytes([bits]), 'x')[0], value)).toBe(true);
  });

  it.skipIf(!existsSync(python))('float16: every bit pattern decodes as Python\'s struct format "e" does', () => {
    const expected = JSON.parse(runPython([
      'import json, math, struct',
      'vals = struct.unpack("<65536e", b"".join(struct.pack("<H", h) for h in range(65536)))',
      'print(json.dumps([None if math.isnan(v) else (str(v) if math.isinf(v) else v) for v in vals]))',
    ].join('\n'))) as (number | string | null)[];
    const out = decodeFloats('F16', u16Bytes(Array.from({ length: 65536 }, (_, i) => i)), 'x');
    const wrong: number[] = [];
    for (let h = 0; h < 65536; h++) {
      const e = expected[h]!;
      const want = e === null ? NaN : typeof e === 'string' ? Number(e.replace('inf', 'Infinity')) : e;
      if (!Object.is(out[h], want)) wrong.push(h);
    }
    expect(wrong).toEqual([]);
  });

  it.each([
    [0x3f80, 1],
    [0xc040, -3],
    [0x3eab, 0.333984375],
    [0x7f80, Infinity],
    [0x0001, 2 ** -133],
    [0x8000, -0],
  ])('bfloat16 bits %s', (bits, value) => {
    expect(Object.is(decodeFloats('BF16', u16Bytes([bits]), 'x')[0], value)).toBe(true);
  });

  it('float32 and float64 little-endian, from an unaligned view', () => {
    const f32 = f32Bytes([1.5, -2.25, 3e-39]);
    const shifted = new Uint8Array(f32.byteLength + 1);
    shifted.set(f32, 1);
    expect([...decodeFloats('F32', shifted.subarray(1), 'x')]).toEqual([1.5, -2.25, Math.fround(3e-39)]);
    expect([...decodeFloats('F64', f64Bytes([0.1, -1e300, 2]), 'x')]).toEqual([Math.fround(0.1), -Infinity, 2]);
  });

  it('refuses integer dtypes, naming the tensor', async () => {
    await expectCheckpointError(() => decodeFloats('I64', new Uint8Array(8), 'bn.num_batches_tracked'), /'bn.num_batches_tracked' holds I64 values, not floats/);
  });
});
