/**
 * A model's size before it is built, so that `--depth 100000` or a row with 10^7 repeats is refused in
 * milliseconds rather than after unrolling millions of blocks. After its first block, a stage repeats one
 * block shape (stride 1, the stage's channels in and out), so the model with every stage cut to two blocks,
 * plus (repeats - 2) copies of each stage's second block, gives the exact totals.
 */
import { hasErrors, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { ModelSpec } from '../ir/spec.js';
import { costReport } from '../report/cost.js';
import { blockLetter, expandRepeats } from './expand-repeats.js';
import { inferShapes } from './infer-shapes.js';

export interface SizeEstimate {
  readonly params: number;
  /** Graph nodes, the input excluded. */
  readonly layers: number;
}

/**
 * The estimate, or the diagnostics of the cut-down model when it does not infer: it has every shape the full
 * model has, so its errors (a tensor past 2^31 elements, ...) are the full model's, found without unrolling.
 */
export function estimateSize(spec: ModelSpec): SizeEstimate | { readonly diagnostics: readonly Diagnostic[] } {
  const cut: ModelSpec = { ...spec, stages: spec.stages.map((s) => (s.repeats > 2 ? { ...s, repeats: 2 } : s)) };
  const graph = inferShapes(cut, expandRepeats(cut));
  if (!graph.value || hasErrors(graph.diagnostics)) return { diagnostics: graph.diagnostics.filter((d) => d.severity === 'error') };
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
