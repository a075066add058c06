/**
 * A Conv's or pool's padding attributes. At a fixed size, the graph's own pads. With --dynamic-size, a TF
 * 'same' window whose pads depend on the size gets auto_pad SAME_UPPER instead, which onnxruntime computes per
 * input size at run time: ceil(n / s) outputs, max((out - 1) * s + k - n, 0) padding in total, the odd pixel at
 * the end, which is TF's 'same' (the tests compare both sizes with a fixed-size compile). Every other window
 * pads the same at every size and keeps its explicit pads.
 */
import type onnxProto from 'onnx-proto';
import type { Graph, GraphNode, Pads } from '../../src/ir/graph.js';
import { paddingRule, sizeIndependent } from '../padding-rule.js';

type AttributeProto = onnxProto.onnx.IAttributeProto;

const AT_STRING = 3;
const AT_INTS = 7;

/** ONNX pads order is [x1_begin, x2_begin, x1_end, x2_end] = [top, left, bottom, right]. */
const padsOf = (p: Pads) => [p.top, p.left, p.bottom, p.right];

export function windowPadAttributes(graph: Graph, node: GraphNode, dynamicSize: boolean): AttributeProto[] {
  const op = node.op;
  if (op.kind !== 'conv' && op.kind !== 'pool') throw new Error(`internal: ${node.name} is not a window op`);
  if (dynamicSize && !sizeIndependent(paddingRule(graph, node), op.kernel, op.stride)) {
    return [{ name: 'auto_pad', type: AT_STRING, s: new TextEncoder().encode('SAME_UPPER') }];
  }
  return [{ name: 'pads', type: AT_INTS, ints: padsOf(op.pads) }];
}
