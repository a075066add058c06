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
import { STRUCTURE_ONLY, WEIGHTS_METADATA_KEY } from '../../backends/structure-only.js';
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

/** One entry of a model.json's userDefinedMetadata (undefined when absent). */
function modelJsonEntry(path: string, key: string): unknown {
  const jsonPath = path.endsWith('.json') ? path : join(path, 'model.json');
  let json: { userDefinedMetadata?: Record<string, unknown> };
  try {
    json = JSON.parse(new TextDecoder().decode(readInput(jsonPath, MODEL_JSON_LIMIT, 'model.json')));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read ${jsonPath}: ${(e as Error).message}`);
  }
  return json?.userDefinedMetadata?.[key];
}

function fromModelJson(path: string): Preprocessing | undefined {
  const record = modelJsonEntry(path, PREPROCESSING_METADATA_KEY);
  return record === undefined ? undefined : checkRecord(record, path.endsWith('.json') ? path : join(path, 'model.json'));
}

/** One entry of an ONNX file's metadata_props (undefined when absent). */
function onnxEntry(path: string, key: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    const props = scanMetadataProps((buffer, position) => readSync(fd, buffer, 0, buffer.length, position), fstatSync(fd).size);
    return props.get(key);
  } catch (e) {
    if (e instanceof MetadataScanError) throw new UsageError(`cannot read the metadata of ${path}: ${e.message}`);
    throw e;
  } finally {
    closeSync(fd);
  }
}

function fromOnnx(path: string): Preprocessing | undefined {
  const record = onnxEntry(path, PREPROCESSING_METADATA_KEY);
  return record === undefined ? undefined : parseRecord(record, path);
}

export function recordedPreprocessing(kind: Kind, path: string): Preprocessing | undefined {
  return kind === 'onnx' ? fromOnnx(path) : fromModelJson(path);
}

/** Whether the model was compiled structure only (--init zeros): no weights to run (backends/structure-only.ts). */
export function isStructureOnly(kind: Kind, path: string): boolean {
  if (kind === 'onnx') return onnxEntry(path, WEIGHTS_METADATA_KEY) === STRUCTURE_ONLY;
  const entry = modelJsonEntry(path, WEIGHTS_METADATA_KEY) as { structureOnly?: unknown } | undefined;
  return entry?.structureOnly === true;
}
