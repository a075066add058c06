/**
 * Unrolls the stage table into one entry per block: the stride and the stage's input channels apply to the
 * first block only (as in every reference implementation), and each block gets its Keras-style name and
 * its drop-connect rate.
 */
import type { LayerSpec, ModelSpec } from '../ir/spec.js';

export interface BlockInstance {
  readonly layer: LayerSpec;
  readonly section: 'stem' | 'stages' | 'head';
  /** Name prefix: 'stem', 'block2a', 'top'. */
  readonly prefix: string;
  /** Roll-up key: 'stem', 'stage2', 'head'. */
  readonly stage: string;
  readonly stride: number;
  /** Stochastic-depth rate for this block's residual branch (0 when off). */
  readonly dropConnect: number;
  readonly repeatIndex: number;
}

/** a, b, ..., z, aa, ab, ...: Keras letters, continued past z for ResNet-152's 36-block stage. */
export function blockLetter(index: number): string {
  let s = '';
  let n = index + 1;
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(97 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

function sectionPrefix(base: string, index: number, count: number): string {
  return count === 1 || index === 0 ? base : `${base}${index + 1}`;
}

export function expandRepeats(spec: ModelSpec): readonly BlockInstance[] {
  const out: BlockInstance[] = [];
  spec.stem.forEach((layer, i) => {
    out.push({ layer, section: 'stem', prefix: sectionPrefix('stem', i, spec.stem.length), stage: 'stem', stride: layer.stride, dropConnect: 0, repeatIndex: 0 });
  });
  const total = spec.stages.reduce((n, s) => n + s.repeats, 0);
  let index = 0;
  spec.stages.forEach((layer, s) => {
    for (let j = 0; j < layer.repeats; j++) {
      out.push({
        layer,
        section: 'stages',
        prefix: `block${s + 1}${blockLetter(j)}`,
        stage: `stage${s + 1}`,
        stride: j === 0 ? layer.stride : 1,
        dropConnect: (spec.dropConnect * index) / total,
        repeatIndex: j,
      });
      index++;
    }
  });
  spec.head.forEach((layer, i) => {
    out.push({ layer, section: 'head', prefix: sectionPrefix('top', i, spec.head.length), stage: 'head', stride: layer.stride, dropConnect: 0, repeatIndex: 0 });
  });
  return out;
}
