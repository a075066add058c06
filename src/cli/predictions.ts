/**
 * From a model's logits to what `effnet run` prints: softmax probabilities (computed in float64, shifted by
 * the largest logit so no exponential overflows), the top k classes with their labels, and the text form of
 * one prediction. Ties in probability keep the lower class index first, so the order is deterministic.
 */

export interface Prediction {
  readonly index: number;
  /** The class name, when labels are known. */
  readonly label?: string;
  readonly probability: number;
  readonly logit: number;
}

export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    out[i] = Math.exp(logits[i]! - max);
    sum += out[i]!;
  }
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

/** The k most probable classes, most probable first (k past the class count gives every class). */
export function topPredictions(logits: ArrayLike<number>, probabilities: ArrayLike<number>, k: number, labels?: readonly string[]): Prediction[] {
  return Array.from({ length: logits.length }, (_, index) => index)
    .sort((a, b) => probabilities[b]! - probabilities[a]! || a - b)
    .slice(0, k)
    .map((index) => ({ index, ...(labels ? { label: labels[index]! } : {}), probability: probabilities[index]!, logit: logits[index]! }));
}

/**
 * A probability as a percentage with three significant digits (91.2%, 0.113%, 3.12e-7%), and as many more as
 * keep a probability below 1 from showing as 100% (99.99%).
 */
export function formatPercent(p: number): string {
  const pct = p * 100;
  let digits = 3;
  while (digits < 15 && p < 1 && Number(pct.toPrecision(digits)) >= 100) digits++;
  return `${Number(pct.toPrecision(digits))}%`;
}

/** "207 golden retriever 91.2%", or "207 91.2%" without labels. */
export function formatPrediction(p: Prediction): string {
  return `${p.index}${p.label !== undefined ? ` ${p.label}` : ''} ${formatPercent(p.probability)}`;
}
