/**
 * The compile targets `effnet compile --target` knows, by name. Each backend adds one line here.
 */
import type { Backend, CommonEmitOptions } from './backend.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const backends: Record<string, () => Promise<Backend<any>>> = {
  onnx: () => import('./onnx/onnx-backend.js').then((m) => m.onnxBackend),
  tfjs: () => import('./tfjs/tfjs-backend.js').then((m) => m.tfjsBackend),
  pytorch: () => import('./pytorch/pytorch-backend.js').then((m) => m.pytorchBackend),
};

export type { Backend, CommonEmitOptions };
