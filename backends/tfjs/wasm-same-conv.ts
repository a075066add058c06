/**
 * tfjs-backend-wasm 4.22 computes a 'same' convolution wrong (zeros) when 1 < kernel < stride and the input
 * size divides by the stride: exactly where TF 'same' pads nothing. At a fixed size the backends write such a
 * window 'valid' (the padding table's tests); a model that takes any size cannot, because its 'same' pads are
 * computed per size and some sizes hit the case. Measured on Node 20 against the cpu backend: k2 s3 and k2 s4,
 * k3 s4 give zeros at sizes 9, 8, 12; k = s and k > s are right, and so are pools.
 */
import type { GraphNode } from '../../src/ir/graph.js';
import { TfjsExportError } from './to-wire.js';

export function refuseDynamicSameConv(node: GraphNode, kernel: number, stride: number): void {
  if (kernel > 1 && kernel < stride) {
    throw new TfjsExportError(node, `with --dynamic-size its TF 'same' padding is computed per size, and at sizes divisible by the stride ${stride} a kernel of ${kernel} pads nothing, where tfjs-backend-wasm 4.22's 'same' convolution outputs zeros; compile at a fixed size`);
  }
}
