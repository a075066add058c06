/**
 * The input size an ONNX file compiled with --dynamic-size was compiled (and costed) at: `effnet.scaling`'s
 * `input` [height, width] in its metadata_props, read without decoding the model. `effnet run` and
 * `--verify` feed that size to a model that takes any.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { MetadataScanError, scanMetadataProps } from '../../backends/onnx/metadata-scanner.js';
import { UsageError } from './io.js';

export function declaredOnnxSize(path: string): [number, number] | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    const scaling = scanMetadataProps((buffer, position) => readSync(fd, buffer, 0, buffer.length, position), fstatSync(fd).size).get('effnet.scaling');
    const input = scaling === undefined ? undefined : (JSON.parse(scaling) as { input?: unknown }).input;
    return Array.isArray(input) && input.length === 2 && input.every((d) => Number.isInteger(d) && d > 0) ? (input as [number, number]) : undefined;
  } catch (e) {
    if (e instanceof MetadataScanError || e instanceof SyntaxError) throw new UsageError(`cannot read the metadata of ${path}: ${e.message}`);
    throw e;
  } finally {
    closeSync(fd);
  }
}
