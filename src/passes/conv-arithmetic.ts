/** Output sizes and padding of strided windows, for the three padding conventions the language knows. */
import type { Pads } from '../ir/graph.js';

export type PadMode = 'same' | 'symmetric' | 'valid';

export interface Window {
  readonly out: number;
  readonly before: number;
  readonly after: number;
}

/**
 * One spatial axis.
 * - same (TF, Keras, TF.js): out = ceil(in / s); the padding total is split with the extra pixel at the end,
 *   so stride 2 on an even size pads (0, 1) for k = 3.
 * - symmetric (PyTorch): k // 2 on each side.
 * - valid: no padding.
 */
export function windowAxis(size: number, kernel: number, stride: number, mode: PadMode): Window {
  if (mode === 'same') {
    const out = Math.ceil(size / stride);
    const total = Math.max((out - 1) * stride + kernel - size, 0);
    const before = Math.floor(total / 2);
    return { out, before, after: total - before };
  }
  const p = mode === 'symmetric' ? Math.floor(kernel / 2) : 0;
  return { out: Math.floor((size + 2 * p - kernel) / stride) + 1, before: p, after: p };
}

export function windowPads(h: Window, w: Window): Pads {
  return { top: h.before, left: w.before, bottom: h.after, right: w.after };
}
