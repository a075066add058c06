/**
 * The refusals that come before any weight exists: a model over the parameter ceiling (E0503) or with more
 * layers than a graph can sensibly hold (E0506). A model of more than ESTIMATE_FROM_BLOCKS blocks is sized
 * from its estimate (estimate-size.ts) before it is unrolled; every model is checked again on its real cost.
 */
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { ModelSpec } from '../ir/spec.js';
import type { CostReport } from '../report/cost.js';
import { estimateSize } from './estimate-size.js';

export const DEFAULT_MAX_PARAMS = 2e9;
/** Far past any published network (ResNet-1001 has about 3,000 layers); beyond it the graph itself gets too big to hold. */
export const MAX_LAYERS = 100_000;
/** Below this many blocks, building the model is as cheap as estimating it. */
const ESTIMATE_FROM_BLOCKS = 1_000;

const tooManyParams = (spec: ModelSpec, params: number, limit: number): Diagnostic =>
  diagnostic('E0503', spec.spans.name ?? spec.span, { params: params.toLocaleString('en-US'), limit: limit.toLocaleString('en-US') });

/** Before unrolling: the scaled spec's estimated size against the ceilings. */
export function checkSize(spec: ModelSpec, maxParams = DEFAULT_MAX_PARAMS): Diagnostic[] {
  if (spec.stages.reduce((n, s) => n + s.repeats, 0) <= ESTIMATE_FROM_BLOCKS) return [];
  const size = estimateSize(spec);
  if ('diagnostics' in size) return [...size.diagnostics];
  if (size.params > maxParams) return [tooManyParams(spec, size.params, maxParams)];
  if (size.layers > MAX_LAYERS) return [diagnostic('E0506', spec.spans.name ?? spec.span, { layers: size.layers.toLocaleString('en-US'), limit: MAX_LAYERS.toLocaleString('en-US') })];
  return [];
}

/** After costing: the exact parameter count against the ceiling. */
export function checkParams(spec: ModelSpec, report: CostReport, maxParams = DEFAULT_MAX_PARAMS): Diagnostic[] {
  return report.total.params > maxParams ? [tooManyParams(spec, report.total.params, maxParams)] : [];
}
