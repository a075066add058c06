/** One batch through a compiled model: an ONNX file in onnxruntime-node, a TF.js directory in TF.js (wasm). */
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { fileIOHandler } from '../../backends/tfjs/runtime/file-io-handler.js';

/** NCHW [n, c, h, w] to NHWC, for TF.js. */
export function toNhwc(x: Float32Array, n: number, c: number, h: number, w: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++) for (let k = 0; k < c; k++) for (let y = 0; y < h; y++) for (let i = 0; i < w; i++) out[((b * h + y) * w + i) * c + k] = x[((b * c + k) * h + y) * w + i]!;
  return out;
}

/** `input` is float32 NCHW [2, 3, size, size]. */
export async function ortLogits(file: string, input: Float32Array, size: number): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(file);
  const out = await s.run({ input: new ort.Tensor('float32', input, [2, 3, size, size]) });
  await s.release();
  return out.logits!.data as Float32Array;
}

export async function tfjsLogits(modelDir: string, input: Float32Array, size: number): Promise<Float32Array> {
  const model = await tf.loadLayersModel(fileIOHandler(modelDir));
  const x = tf.tensor(toNhwc(input, 2, 3, size, size), [2, size, size, 3]);
  const y = model.predict(x) as tf.Tensor;
  const data = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  model.dispose();
  return data;
}
