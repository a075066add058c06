/**
 * Width and depth rounding, exactly as the reference implementations do it (double arithmetic included:
 * 2.2 x 25 = 55.00000000000001 rounds up to 56 there too, so it does here).
 */
import type { ScalingSpec } from '../ir/spec.js';

/**
 * Nearest multiple of `divisor`, at least `min`, and never more than 10 % below the exact value
 * (TF official round_filters, timm make_divisible, torchvision _make_divisible).
 */
export function makeDivisible(value: number, divisor: number, min = divisor): number {
  let r = Math.max(min, Math.floor((value + divisor / 2) / divisor) * divisor);
  if (r < 0.9 * value) r += divisor;
  return r;
}

/** Channels after width scaling, by the spec's rounding rule. */
export function roundChannels(channels: number, width: number, rule: ScalingSpec): number {
  if (width === 1) return channels;
  const exact = channels * width;
  if (rule.rounding === 'truncate') return Math.max(rule.minChannels ?? 1, Math.floor(exact));
  return makeDivisible(exact, rule.divisor, rule.minChannels ?? rule.divisor);
}

/** Repeats after depth scaling: always rounded up (TF, Keras, torchvision, timm's default). */
export function roundRepeats(repeats: number, depth: number): number {
  return depth === 1 ? repeats : Math.ceil(depth * repeats);
}

/** Input size after resolution scaling, to the nearest multiple of the spec's divisor. */
export function roundResolution(size: number, r: number, divisor: number): number {
  if (r === 1) return size;
  return Math.round((size * r) / divisor) * divisor;
}
