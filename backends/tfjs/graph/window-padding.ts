/**
 * How a graph-model window op pads. At a fixed size the graph's own pads are written out: VALID when there
 * are none, else EXPLICIT on the conv. 'SAME' is never needed there, and avoiding it avoids
 * tfjs-backend-wasm 4.22's 'same' convolution, which outputs zeros when 1 < kernel < stride and the size
 * divides by the stride. Pools take only SAME or VALID, so a pool whose pads are TF 'same' at this size
 * says SAME, and any other pads are left to the caller (a Pad op in front, where zeros are exact).
 *
 * With a dynamic size, 'same' windows whose pads depend on the size are SAME (computed per size at run
 * time); every other rule pads the same at every size and is written out as at a fixed size.
 */
import type { Graph, GraphNode, Pads } from '../../../src/ir/graph.js';
import { windowAxis } from '../../../src/passes/conv-arithmetic.js';
import { paddingRule, sizeIndependent } from '../../padding-rule.js';
import { refuseDynamicSameConv } from '../wasm-same-conv.js';

export type WindowPadding = { readonly kind: 'valid' } | { readonly kind: 'same' } | { readonly kind: 'explicit'; readonly pads: Pads };

export function windowPadding(graph: Graph, node: GraphNode, dynamic: boolean, { pool = false } = {}): WindowPadding {
  const op = node.op;
  if (op.kind !== 'conv' && op.kind !== 'pool') throw new Error(`internal: ${node.name} is not a window op`);
  const { kernel, stride, pads } = op;
  if (dynamic && !sizeIndependent(paddingRule(graph, node), kernel, stride)) {
    if (!pool) refuseDynamicSameConv(node, kernel, stride);
    return { kind: 'same' };
  }
  if (pads.top === 0 && pads.bottom === 0 && pads.left === 0 && pads.right === 0) return { kind: 'valid' };
  if (pool) {
    const inShape = graph.nodes[node.inputs[0]!]!.shape;
    const h = windowAxis(inShape[0]!, kernel, stride, 'same');
    const w = windowAxis(inShape[1]!, kernel, stride, 'same');
    if (pads.top === h.before && pads.bottom === h.after && pads.left === w.before && pads.right === w.after) return { kind: 'same' };
  }
  return { kind: 'explicit', pads };
}
