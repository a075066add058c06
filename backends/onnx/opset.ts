/**
 * Which ONNX opsets effnet emits, and the IR version each needs. The range is what every op we emit can
 * express (Clip takes min/max as inputs from opset 11, Flatten/Gemm/Sigmoid have their current form from 13)
 * up to the newest opset the onnxruntime-node in package-lock.json loads (1.30: opset 26, IR 13).
 */
import { OnnxExportError } from './onnx-error.js';

export const MIN_OPSET = 13;
export const MAX_OPSET = 26;
export const DEFAULT_OPSET = 17;

/**
 * Opset → the IR version of the onnx release that introduced it (onnx/helper.py VERSION_TABLE). Pinning the
 * lowest IR that carries the opset lets older runtimes and checkers accept the file.
 */
const irVersionOf: Readonly<Record<number, number>> = {
  13: 7, 14: 7, 15: 8, 16: 8, 17: 8, 18: 8, 19: 9, 20: 9, 21: 10, 22: 10, 23: 11, 24: 11, 25: 12, 26: 13,
};

export function checkOpset(opset: number): void {
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new OnnxExportError(`opset ${opset} is not supported: effnet emits ONNX opsets ${MIN_OPSET} to ${MAX_OPSET}`);
  }
}

export function irVersionFor(opset: number): number {
  checkOpset(opset);
  return irVersionOf[opset]!;
}
