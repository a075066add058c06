import type { GraphNode } from '../../src/ir/graph.js';

/** A model the ONNX backend cannot write as asked (opset out of range, an op the opset cannot express). */
export class OnnxExportError extends Error {
  override readonly name = 'OnnxExportError';
  /** The layer at fault, when there is one: the CLI then points at its line in the spec. */
  constructor(message: string, readonly node?: GraphNode, readonly why?: string) {
    super(message);
  }
}
