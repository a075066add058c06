import { BackendError } from '../backend.js';

/** A model the ONNX backend cannot write as asked (opset out of range, an op the opset cannot express). */
export class OnnxExportError extends BackendError {
  override readonly name = 'OnnxExportError';
}
