/**
 * A model's size before it is built, so that `--depth 100000` or a row with 10^7 repeats is refused in
 * milliseconds rather than after unrolling millions of blocks. After its first block, a stage repeats one
 * block shape (stride 1, the stage's channels in and out), so the model with every stage cut to two blocks,
 * plus (repeats - 2) copies of each stage's second block, gives the exact totals.
 */
import type { ModelSpec } from '../ir/spec.js';
import { costReport } from '../report/cost.js';
import { blockLetter, expandRepeats } from './expand-repeats.js';
import { inferShapes } from './infer-shapes.js';

export interface SizeEstimate {
  readonly params: number;
  /** Graph nodes, the input excluded. */
  readonly layers: number;
}

/** Undefined when the cut-down model does not infer: the full pipeline then reports why. */
export function estimateSize(spec: ModelSpec): SizeEstimate | undefined {
  const cut: ModelSpec = { ...spec, stages: spec.stages.map((s) => (s.repeats > 2 ? { ...s, repeats: 2 } : s)) };
  const graph = inferShapes(cut, expandRepeats(cut));
  if (!graph.value) return undefined;
  const report = costReport(graph.value);
  let { params } = report.total;
  let layers = report.layers.length;
  spec.stages.forEach((stage, s) => {
    if (stage.repeats <= 2) return;
    const second = report.blocks.find((b) => b.key === `block${s + 1}${blockLetter(1)}`);
    if (!second) return;
    params += (stage.repeats - 2) * second.cost.params;
    layers += (stage.repeats - 2) * second.layers;
  });
  return { params, layers };
}
