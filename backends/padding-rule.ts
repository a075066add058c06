/**
 * The rule a window op (a conv or a pool) was padded by, which the shaped graph keeps only as the numbers it
 * gave at the spec's input size. A model that takes any input size (--dynamic-size) needs the rule itself:
 *
 * - 'valid' pads nothing and 'symmetric' pads k // 2 on each side, at every size;
 * - 'same' (TF) pads max((ceil(n / s) - 1) * s + k - n, 0) in total, the extra pixel at the end, which depends
 *   on n mod s: stride 2 pads (0, 1) on even sizes and (1, 1) on odd ones. Only k = 1 (never pads) and s = 1
 *   (always k - 1) are the same at every size.
 *
 * Convs follow the spec's `padding`; a pool its own `pad` option, else the spec's.
 */
import type { Graph, GraphNode } from '../src/ir/graph.js';
import type { PadMode } from '../src/passes/conv-arithmetic.js';

export type PaddingRule = PadMode;

/** The padding rule of a conv or pool node. */
export function paddingRule(graph: Graph, node: GraphNode): PaddingRule {
  if (node.op.kind !== 'pool') return graph.spec.padding;
  const spec = graph.spec;
  // A pool node carries the span of the layer that made it (infer-shapes sets it per block).
  const layer = [...spec.stem, ...spec.stages, ...spec.head].find((l) => l.span === node.span);
  return layer?.pad ?? spec.padding;
}

/** Whether the rule pads the same at every input size. */
export function sizeIndependent(rule: PaddingRule, kernel: number, stride: number): boolean {
  return rule !== 'same' || kernel === 1 || stride === 1;
}
