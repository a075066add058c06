/**
 * What a compiled model says about itself, read without running it: a TF.js model.json, parsed, and an ONNX
 * file's metadata_props, scanned without decoding the model (backends/onnx/metadata-scanner.ts), so a 2 GB
 * file costs a few reads. Both are bounded; an unreadable file is a usage error naming it.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { MetadataScanError, scanMetadataProps } from '../../backends/onnx/metadata-scanner.js';
import { UsageError } from './io.js';
import { readInput } from './read-input.js';

/** The largest model.json read: B7's topology is about 1 MB. */
export const MODEL_JSON_LIMIT = 64 * 1024 * 1024;

/** A TF.js directory's (or model.json path's) model.json, parsed; bounded. */
export function readModelJson(path: string): { jsonPath: string; json: Record<string, unknown> | null } {
  const jsonPath = path.endsWith('.json') ? path : join(path, 'model.json');
  try {
    return { jsonPath, json: JSON.parse(new TextDecoder().decode(readInput(jsonPath, MODEL_JSON_LIMIT, 'model.json'))) };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read ${jsonPath}: ${(e as Error).message}`);
  }
}

/** An ONNX file's metadata_props, scanned without decoding the model; bounded. */
export function readOnnxMetadata(path: string): Map<string, string> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    return scanMetadataProps((buffer, position) => readSync(fd, buffer, 0, buffer.length, position), fstatSync(fd).size);
  } catch (e) {
    if (e instanceof MetadataScanError) throw new UsageError(`cannot read the metadata of ${path}: ${e.message}`);
    throw e;
  } finally {
    closeSync(fd);
  }
}
