/**
 * backends/tfjs/quantize.ts: which weights a set of --quantize rules names, and how one weight is stored.
 * The affine modes are checked against the worked example in tfjs-converter's write_weights.py docstring,
 * and every mode against the bound it promises once decoded the way tfjs-core decodes it.
 */
import { describe, expect, it } from 'vitest';
import { sampleInput } from '../../../backends/sample-input.js';
import { affineRange, patternRegExp, planQuantization, quantizeWeight, QuantizationRuleError, type QuantizationMode, type QuantizationRule } from '../../../backends/tfjs/quantize.js';
import { halfBitsToNumber } from '../../../src/checkpoint/decode-floats.js';

const names = ['stem_conv/kernel', 'stem_bn/gamma', 'stem_bn/moving_variance', 'block2a_dwconv/depthwise_kernel', 'block2a_se_reduce/bias', 'predictions/kernel', 'predictions/bias'];

/** tfjs-core's decodeWeight: q * scale + min in doubles, stored as float32; float16 decoded exactly. */
function decode(values: Float32Array, mode: QuantizationMode): Float32Array {
  const { bytes, quantization: q } = quantizeWeight(values, mode, 'w');
  const out = new Float32Array(values.length);
  for (let i = 0; i < out.length; i++) {
    const stored = mode === 'uint8' ? bytes[i]! : bytes[2 * i]! | (bytes[2 * i + 1]! << 8);
    out[i] = q.dtype === 'float16' ? halfBitsToNumber(stored) : stored * q.scale + q.min;
  }
  return out;
}

describe('planQuantization', () => {
  const plan = (...rules: QuantizationRule[]) => Object.fromEntries(planQuantization(names, rules));
  it.each<[string, QuantizationRule[], Record<string, string>]>([
    ['no rules: nothing quantized', [], {}],
    ['a mode alone: every weight', [{ mode: 'uint8' }], Object.fromEntries(names.map((n) => [n, 'uint8']))],
    ['* crosses the slash, as fnmatch does', [{ mode: 'uint8', patterns: ['*kernel'] }], { 'stem_conv/kernel': 'uint8', 'block2a_dwconv/depthwise_kernel': 'uint8', 'predictions/kernel': 'uint8' }],
    ['a layer prefix', [{ mode: 'float16', patterns: ['stem*'] }], { 'stem_conv/kernel': 'float16', 'stem_bn/gamma': 'float16', 'stem_bn/moving_variance': 'float16' }],
    ['? is one character', [{ mode: 'uint16', patterns: ['predictions/?ias'] }], { 'predictions/bias': 'uint16' }],
    ['several patterns, comma-separated on the command line', [{ mode: 'uint8', patterns: ['predictions/*', '*/gamma'] }], { 'predictions/kernel': 'uint8', 'predictions/bias': 'uint8', 'stem_bn/gamma': 'uint8' }],
    [
      'patterns, and a mode for the rest',
      [{ mode: 'uint8', patterns: ['*kernel'] }, { mode: 'float16' }],
      { 'stem_conv/kernel': 'uint8', 'block2a_dwconv/depthwise_kernel': 'uint8', 'predictions/kernel': 'uint8', 'stem_bn/gamma': 'float16', 'stem_bn/moving_variance': 'float16', 'block2a_se_reduce/bias': 'float16', 'predictions/bias': 'float16' },
    ],
    ['one weight named twice by one mode', [{ mode: 'uint8', patterns: ['predictions/*'] }, { mode: 'uint8', patterns: ['*/bias'] }], { 'predictions/kernel': 'uint8', 'predictions/bias': 'uint8', 'block2a_se_reduce/bias': 'uint8' }],
  ])('%s', (_what, rules, want) => {
    expect(plan(...rules)).toEqual(want);
  });

  it.each<[string, QuantizationRule[], RegExp]>([
    ['a pattern that names no weight (a typo would ship float32 silently)', [{ mode: 'uint8', patterns: ['*/kernal'] }], /--quantize uint8:\*\/kernal names no weight of this model \(weights are named like stem_conv\/kernel, stem_bn\/gamma\)/],
    ['two modes for one weight', [{ mode: 'uint8', patterns: ['predictions/*'] }, { mode: 'float16', patterns: ['*/bias'] }], /weight predictions\/bias is named by --quantize uint8 and --quantize float16/],
    ['two modes for every weight', [{ mode: 'uint8' }, { mode: 'float16' }], /--quantize uint8 and --quantize float16 both apply to every weight/],
  ])('refuses %s', (_what, rules, message) => {
    expect(() => planQuantization(names, rules)).toThrow(QuantizationRuleError);
    expect(() => planQuantization(names, rules)).toThrow(message);
  });

  it('matches whole names only, and everything but * and ? literally', () => {
    expect(patternRegExp('kernel').test('stem_conv/kernel')).toBe(false);
    expect(patternRegExp('stem_bn/gamm.').test('stem_bn/gamma')).toBe(false);
    expect(patternRegExp('a+b(c)').test('a+b(c)')).toBe(true);
  });
});

describe('quantizeWeight', () => {
  it("stores tfjs-converter's worked example: [0, -0.1, 1.2] as uint8 [20, 0, 255], min -0.10196078817, scale 0.00509803940852", () => {
    const { bytes, quantization } = quantizeWeight(Float32Array.of(0, -0.1, 1.2), 'uint8', 'w');
    expect([...bytes]).toEqual([20, 0, 255]);
    expect(quantization).toEqual({ dtype: 'uint8', min: expect.closeTo(-0.10196078817, 10), scale: expect.closeTo(0.00509803940852, 12), original_dtype: 'float32' });
    // Its keys in tfjs-converter's order: dtype, min, scale, original_dtype.
    expect(Object.keys(quantization)).toEqual(['dtype', 'min', 'scale', 'original_dtype']);
  });

  it.each<[string, number[], 'uint8' | 'uint16', { scale: number; min: number }, number[]]>([
    ['a constant tensor: zeros, scale 1, min its value', [0.25, 0.25, 0.25], 'uint8', { scale: 1, min: 0.25 }, [0, 0, 0]],
    ['all positive: no nudging, min and max are the first and last levels', [0.5, 1, 3], 'uint8', { scale: 2.5 / 255, min: 0.5 }, [0, 51, 255]],
    ['all negative', [-3, -1], 'uint16', { scale: 2 / 65535, min: -3 }, [0, 65535]],
  ])('%s', (_what, values, mode, range, stored) => {
    const { bytes, quantization } = quantizeWeight(Float32Array.from(values), mode, 'w');
    expect(quantization).toMatchObject({ dtype: mode, scale: expect.closeTo(range.scale, 15), min: expect.closeTo(range.min, 7) });
    const q = mode === 'uint8' ? [...bytes] : Array.from({ length: values.length }, (_, i) => bytes[2 * i]! | (bytes[2 * i + 1]! << 8));
    expect(q).toEqual(stored);
  });

  it('nudges a range that spans zero so that zero is a level: zero weights decode to exactly zero', () => {
    for (const mode of ['uint8', 'uint16'] as const) {
      const values = Float32Array.from(sampleInput(1000, 5), (x, i) => (i % 7 === 0 ? 0 : x * 0.3 + 0.05));
      const back = decode(values, mode);
      for (let i = 0; i < values.length; i += 7) expect(back[i]).toBe(0);
      // Without the nudge, 0 would fall between two levels.
      const { scale, min } = affineRange(Math.min(...values), Math.max(...values), mode);
      expect(min).not.toBe(Math.min(...values));
      expect(-min / scale).toBeCloseTo(Math.round(-min / scale), 6);
    }
  });

  // Decoded the way tfjs does, each value is within half a level of its float32 (a whole level at the nudged
  // ends), and float16 within its relative precision, 2^-11 (normal range).
  it.each<[QuantizationMode, (range: number, v: number) => number]>([
    ['uint8', (range) => range / 255],
    ['uint16', (range) => range / 65535],
    ['float16', (_range, v) => Math.max(Math.abs(v) * 2 ** -11, 2 ** -25)],
  ])('%s stays within its bound of the float32 values', (mode, bound) => {
    const values = Float32Array.from(sampleInput(5000, 9), (x) => x * 0.7 - 0.2);
    const range = Math.max(...values) - Math.min(...values);
    const back = decode(values, mode);
    let worst = 0;
    for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs(back[i]! - values[i]!) / bound(range, values[i]!));
    expect(worst).toBeGreaterThan(0.1);
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('refuses a float16 weight past 65504, which would load as infinity', () => {
    expect(() => quantizeWeight(Float32Array.of(1, 70000), 'float16', 'bn/moving_variance')).toThrow(/weight bn\/moving_variance holds 70000 at index 1, beyond float16's largest value 65504/);
    expect(() => quantizeWeight(Float32Array.of(1, 70000), 'uint8', 'bn/moving_variance')).not.toThrow();
  });
});
