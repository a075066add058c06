/**
 * The preprocessing a compiled model records (the emit option `preprocessing`, under `effnet.preprocessing`):
 * from a TF.js directory's model.json (userDefinedMetadata), or from an ONNX file's metadata_props, scanned
 * without decoding the model (backends/onnx/metadata-scanner.ts). Both reads are bounded. A model that records
 * nothing gives undefined; a record that does not parse is a usage error naming the model, never ignored.
 * The same metadata says whether a model is structure only (`effnet.weights`).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { MetadataScanError, scanMetadataProps } from '../../backends/onnx/metadata-scanner.js';
import { parsePreprocessing, PREPROCESSING_METADATA_KEY, type Preprocessing } from '../../backends/preprocessing.js';
import { UsageError } from './io.js';
import type { Kind } from './model-runners.js';
import { readInput } from './read-input.js';

/** The largest model.json read: B7's topology is about 1 MB. */
export const MODEL_JSON_LIMIT = 64 * 1024 * 1024;

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

function fromModelJson(path: string): Preprocessing | undefined {
  const { jsonPath, json } = readModelJson(path);
  const record = (json as { userDefinedMetadata?: Record<string, unknown> } | null)?.userDefinedMetadata?.[PREPROCESSING_METADATA_KEY];
  return record === undefined ? undefined : checkRecord(record, jsonPath);
}

function fromOnnx(path: string): Preprocessing | undefined {
  const record = readOnnxMetadata(path).get(PREPROCESSING_METADATA_KEY);
  return record === undefined ? undefined : parseRecord(record, path);
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

export function recordedPreprocessing(kind: Kind, path: string): Preprocessing | undefined {
  return kind === 'onnx' ? fromOnnx(path) : fromModelJson(path);
}
