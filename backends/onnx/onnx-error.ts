/** A model the ONNX backend cannot write as asked (opset out of range, an op the opset cannot express). */
export class OnnxExportError extends Error {
  override readonly name = 'OnnxExportError';
}
