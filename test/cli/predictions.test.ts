/** From logits to printed predictions: softmax, top-k with labels, the text form. */
import { describe, expect, it } from 'vitest';
import { formatPercent, formatPrediction, softmax, topPredictions } from '../../src/cli/predictions.js';

describe('softmax', () => {
  it('sums to 1, keeps the order, and survives large logits', () => {
    const p = softmax([1, 2, 3]);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(p[2]! / p[1]!).toBeCloseTo(Math.E, 12);
    const big = softmax([1000, 1000, -1000]);
    expect(Array.from(big)).toEqual([0.5, 0.5, 0]);
  });
});

describe('top-k', () => {
  const logits = Float32Array.from([0.5, 3, -1, 3, 2]);
  const labels = ['zero', 'one', 'two', 'three', 'four'];
  const probabilities = softmax(logits);

  it.each([
    [1, [1]],
    [3, [1, 3, 4]],
    [5, [1, 3, 4, 0, 2]],
    [9, [1, 3, 4, 0, 2]], // k past the classes gives them all
  ])('top-%d is %j (ties keep the lower index first)', (k, indices) => {
    expect(topPredictions(logits, probabilities, k, labels).map((p) => p.index)).toEqual(indices);
  });

  it('lines labels up with indices, and carries probability and logit', () => {
    const [first, second, third] = topPredictions(logits, probabilities, 3, labels);
    expect(first).toEqual({ index: 1, label: 'one', probability: probabilities[1], logit: 3 });
    expect(second!.label).toBe('three');
    expect(third).toMatchObject({ index: 4, label: 'four', logit: 2 });
    expect(topPredictions(logits, probabilities, 1)[0]).not.toHaveProperty('label');
  });

  it.each([
    [{ index: 207, label: 'golden retriever', probability: 0.91234, logit: 9 }, '207 golden retriever 91.2%'],
    [{ index: 3, probability: 0.00113, logit: 0 }, '3 0.113%'],
    [{ index: 3, probability: 1, logit: 0 }, '3 100%'],
    [{ index: 3, probability: 3.123e-9, logit: 0 }, '3 3.12e-7%'],
  ])('formats %j as %s', (p, text) => expect(formatPrediction(p)).toBe(text));

  it.each([
    [0.5, '50%'], [0.9999092, '99.99%'], [0.99999999, '99.999999%'], [1, '100%'], [0, '0%'],
  ])('formatPercent(%d) = %s', (p, text) => expect(formatPercent(p)).toBe(text));
});
