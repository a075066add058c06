/** The rounding rules of compound scaling, as the reference implementations apply them. */
import { describe, expect, it } from 'vitest';
import type { ScalingSpec } from '../../src/ir/spec.js';
import { makeDivisible, roundChannels, roundRepeats, roundResolution } from '../../src/passes/round-channels.js';

const divisible: ScalingSpec = { alpha: 1.2, beta: 1.1, gamma: 1.15, divisor: 8, rounding: 'divisible', resolutionDivisor: 1, spans: {} };
const truncate: ScalingSpec = { ...divisible, rounding: 'truncate' };

describe('makeDivisible (TF round_filters, timm make_divisible)', () => {
  it.each([
    // value, divisor, result: why
    [32 * 1.1, 8, 32, 'nearest multiple: 35.2 -> 32'],
    [1280 * 1.1, 8, 1408, '1408 exactly'],
    [320 * 1.1, 8, 352, '352 exactly'],
    [16 * 1.4, 8, 24, '22.4 -> 24 (nearest)'],
    [36, 8, 40, '36 is half-way: rounds up'],
    [28, 16, 32, 'nearest multiple of 16 is 32'],
    [19, 16, 32, '16 would be 15.8 % below 19: one more divisor'],
    [3, 8, 8, 'never below the divisor'],
    [16 * 0.35, 8, 8, 'MobileNetV2 0.35: 5.6 -> 8'],
  ])('%d with divisor %i -> %i (%s)', (value, divisor, expected) => {
    expect(makeDivisible(value, divisor)).toBe(expected);
  });
});

describe('roundChannels', () => {
  it.each([
    [32, 1.2, divisible, 40],
    [1280, 1.21, divisible, 1552],
    [1024, 0.75, truncate, 768],
    [32, 1.2, truncate, 38],
    [64, 1.2, truncate, 76],
    [100, 1, divisible, 100],
  ])('%i x %d (%o) -> %i', (c, w, rule, expected) => {
    expect(roundChannels(c, w, rule)).toBe(expected);
  });
});

describe('roundRepeats: always up, with double arithmetic as in the references', () => {
  it.each([
    [1, 1.1, 2],
    [4, 1.1, 5],
    [3, 1.4, 5],
    [25, 2.2, 56], // 2.2 * 25 = 55.00000000000001 in IEEE doubles: the references give 56 too
    [2, 3.1, 7],
    [3, 1, 3],
  ])('%i repeats x %d -> %i', (n, d, expected) => expect(roundRepeats(n, d)).toBe(expected));
});

describe('roundResolution', () => {
  it.each([
    [224, 1.15, 1, 258],
    [224, 1.3, 32, 288],
    [224, 2, 1, 448],
    [224, 1.15 ** 3, 1, 341],
  ])('%i x %d to a multiple of %i -> %i', (size, r, div, expected) => expect(roundResolution(size, r, div)).toBe(expected));
});
