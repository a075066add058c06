/**
 * float32 → float16 (backends/float16.ts) against the decoder the checkpoint reader uses: every one of the
 * 65,536 halves converts back to its own bits, every midpoint between neighbours rounds to the even one, and
 * the edges (overflow to infinity from 65520, underflow to zero at 2^-25) fall where IEEE 754 puts them. Where
 * numpy is installed, 20,000 random values also give numpy's astype(np.float16) bits, what tfjs-converter writes.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { float16Bits, FLOAT16_MAX, isFinite16, toFloat16Bytes } from '../../backends/float16.js';
import { halfBitsToNumber } from '../../src/checkpoint/decode-floats.js';
import { sampleInput } from '../../backends/sample-input.js';

const hex = (h: number) => `0x${h.toString(16).padStart(4, '0')}`;

const numpy = (() => {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('float16Bits', () => {
  it('gives every half back its own bits (NaNs stay NaN)', () => {
    const wrong: string[] = [];
    for (let h = 0; h < 65536; h++) {
      const v = halfBitsToNumber(h);
      const back = float16Bits(v);
      if (Number.isNaN(v) ? !Number.isNaN(halfBitsToNumber(back)) : back !== h) wrong.push(`${hex(h)} -> ${hex(back)}`);
    }
    expect(wrong.slice(0, 10)).toEqual([]);
  });

  it('rounds midpoints to the even neighbour, and anything off the midpoint to the nearer one', () => {
    const wrong: string[] = [];
    // Positive finite halves and their successors, subnormals included; negatives mirror them.
    for (let h = 0; h < 0x7bff; h++) {
      const [a, b] = [halfBitsToNumber(h), halfBitsToNumber(h + 1)];
      const mid = (a + b) / 2;
      const even = h % 2 === 0 ? h : h + 1;
      const cases: [number, number][] = [[mid, even], [mid + (b - a) / 1024, h + 1], [mid - (b - a) / 1024, h], [-mid, even | 0x8000]];
      for (const [v, want] of cases) if (float16Bits(v) !== want) wrong.push(`${v} -> ${hex(float16Bits(v))}, want ${hex(want)}`);
    }
    expect(wrong.slice(0, 10)).toEqual([]);
  });

  it.each([
    ['the largest half', FLOAT16_MAX, 0x7bff],
    ['just below the rounding edge to infinity', 65519.99, 0x7bff],
    ['the rounding edge (halfway to 2^16)', 65520, 0x7c00],
    ['a float32 past the range', 1e6, 0x7c00],
    ['minus infinity', -Infinity, 0xfc00],
    ['negative zero', -0, 0x8000],
    ['half the smallest subnormal (ties to even: zero)', 2 ** -25, 0x0000],
    ['just above it', 2 ** -25 * 1.0001, 0x0001],
    ['the smallest normal', 2 ** -14, 0x0400],
    ['one', 1, 0x3c00],
    ['1/3', 1 / 3, 0x3555],
    ['-2', -2, 0xc000],
  ])('%s: %d -> %s', (_what, value, bits) => {
    expect(hex(float16Bits(value))).toBe(hex(bits));
  });

  it('tells finite halves from infinities and NaN', () => {
    expect([0x7bff, 0x7c00, 0x7e00, 0xfbff, 0x0001].map(isFinite16)).toEqual([true, false, false, true, true]);
  });

  it.skipIf(!numpy)('gives the bits numpy astype(np.float16) gives (what tfjs-converter writes)', () => {
    // Values spread over the whole half range: uniform in [-1, 1) times powers of two from 2^-26 to 2^17.
    const u = sampleInput(20_000, 3);
    const values = Float32Array.from(u, (x, i) => x * 2 ** ((i % 44) - 26));
    const script = 'import sys, numpy as np; d = np.frombuffer(sys.stdin.buffer.read(), dtype="<f4"); sys.stdout.buffer.write(d.astype(np.float16).astype("<f2").tobytes())';
    const theirs = execFileSync('/usr/bin/python3', ['-W', 'ignore', '-c', script], { input: Buffer.from(values.buffer) });
    const ours = toFloat16Bytes(values);
    expect(Buffer.from(ours).equals(theirs)).toBe(true);
  });
});
