/**
 * The preprocessing a compiled model records (the emit option `preprocessing`, under `effnet.preprocessing`):
 * from a TF.js directory's model.json (userDefinedMetadata), or from an ONNX file's metadata_props, scanned
 * without decoding the model (backends/onnx/metadata-scanner.ts). Both reads are bounded. A model that records
 * nothing gives undefined; a record that does not parse is a usage error naming the model, never ignored.
 */
import { parsePreprocessing, PREPROCESSING_METADATA_KEY, type Preprocessing } from '../../backends/preprocessing.js';
import { UsageError } from './io.js';
import { readModelJson, readOnnxMetadata } from './model-metadata.js';
import type { Kind } from './model-runners.js';

function parseRecord(text: string, model: string): Preprocessing {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${model}: its ${PREPROCESSING_METADATA_KEY} metadata is not JSON: ${(e as Error).message}`);
  }
  return checkRecord(json, model);
}

function checkRecord(json: unknown, model: string): Preprocessing {
  try {
    return parsePreprocessing(json);
  } catch (e) {
    throw new UsageError(`${model}: its ${PREPROCESSING_METADATA_KEY} metadata is not valid: ${(e as Error).message}`);
  }
}

function fromModelJson(path: string): Preprocessing | undefined {
  const { jsonPath, json } = readModelJson(path);
  const record = (json as { userDefinedMetadata?: Record<string, unknown> } | null)?.userDefinedMetadata?.[PREPROCESSING_METADATA_KEY];
  return record === undefined ? undefined : checkRecord(record, jsonPath);
}

function fromOnnx(path: string): Preprocessing | undefined {
  const record = readOnnxMetadata(path).get(PREPROCESSING_METADATA_KEY);
  return record === undefined ? undefined : parseRecord(record, path);
}

export function recordedPreprocessing(kind: Kind, path: string): Preprocessing | undefined {
  return kind === 'onnx' ? fromOnnx(path) : fromModelJson(path);
}
