/**
 * The input size an ONNX file compiled with --dynamic-size was compiled (and costed) at: `effnet.scaling`'s
 * `input` [height, width] in its metadata_props, read without decoding the model. `effnet run` and
 * `--verify` feed that size to a model that takes any.
 */
import { SCALING_METADATA_KEY } from '../../backends/scaling-metadata.js';
import { UsageError } from './io.js';
import { readOnnxMetadata } from './model-metadata.js';

export function declaredOnnxSize(path: string): [number, number] | undefined {
  const scaling = readOnnxMetadata(path).get(SCALING_METADATA_KEY);
  if (scaling === undefined) return undefined;
  let input: unknown;
  try {
    input = (JSON.parse(scaling) as { input?: unknown }).input;
  } catch (e) {
    throw new UsageError(`cannot read the metadata of ${path}: ${(e as Error).message}`);
  }
  return Array.isArray(input) && input.length === 2 && input.every((d) => Number.isInteger(d) && d > 0) ? (input as [number, number]) : undefined;
}
