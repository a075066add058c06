/**
 * A TF.js IOHandler for a LayersModel (or graph model) directory on disk, for Node without @tensorflow/tfjs-node (whose
 * `file://` scheme is the usual way, but which needs libtensorflow). Plain @tensorflow/tfjs has no file
 * system access; this fills the gap:
 *
 *   const model = await tf.loadLayersModel(fileIOHandler('out/b0'));   // reads out/b0/model.json + shards
 *   await model.save(fileIOHandler('out/b0-trained'));                  // writes model.json + one shard group
 *
 * Only type imports from TF.js, so the handler works with whichever TF.js build (tfjs, tfjs-node) loads it.
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { io } from '@tensorflow/tfjs';
import { SHARD_BYTES, shardName, type LayersModelJson } from '../keras-format.js';

type IOHandler = io.IOHandler;
type ModelArtifacts = io.ModelArtifacts;
type SaveResult = io.SaveResult;

/** Accepts the directory or the model.json path inside it. */
function modelJsonPath(path: string): string {
  return path.endsWith('.json') ? path : join(path, 'model.json');
}

export function loadArtifacts(path: string): ModelArtifacts {
  const jsonPath = modelJsonPath(path);
  let json: LayersModelJson;
  try {
    json = JSON.parse(readFileSync(jsonPath, 'utf8')) as LayersModelJson;
  } catch (e) {
    throw new Error(`cannot read TF.js model ${jsonPath}: ${(e as Error).message}`);
  }
  if (json.modelTopology == null) throw new Error(`${jsonPath} has no modelTopology: not a TF.js LayersModel`);
  const dir = dirname(jsonPath);
  const specs: io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of json.weightsManifest ?? []) {
    specs.push(...(group.weights as io.WeightsManifestEntry[]));
    for (const p of group.paths) buffers.push(readFileSync(join(dir, p)));
  }
  const size = buffers.reduce((a, b) => a + b.byteLength, 0);
  const weightData = new Uint8Array(size);
  let at = 0;
  for (const b of buffers) {
    weightData.set(b, at);
    at += b.byteLength;
  }
  return {
    modelTopology: json.modelTopology as unknown as ModelArtifacts['modelTopology'],
    weightSpecs: specs,
    weightData: weightData.buffer,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    ...((json as { trainingConfig?: io.TrainingConfig }).trainingConfig ? { trainingConfig: (json as { trainingConfig?: io.TrainingConfig }).trainingConfig } : {}),
    ...(json.userDefinedMetadata ? { userDefinedMetadata: json.userDefinedMetadata as ModelArtifacts['userDefinedMetadata'] } : {}),
    // A graph model's named inputs and outputs (tf.loadGraphModel reads them; a LayersModel has none).
    ...((json as { signature?: object }).signature ? { signature: (json as { signature?: object }).signature } : {}),
  };
}

/** Concatenates TF.js's weightData, which 4.x may hand over as one ArrayBuffer or a list of them. */
function weightBytes(data: ModelArtifacts['weightData']): Uint8Array {
  if (data == null) return new Uint8Array(0);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  const parts = (data as ArrayBuffer[]).map((b) => new Uint8Array(b));
  const out = new Uint8Array(parts.reduce((a, b) => a + b.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/**
 * What may be replaced at `target`: nothing there, an empty directory, or a directory holding one TF.js
 * model and nothing else (model.json, the shards it lists, an effnet manifest). A directory with anything else
 * in it (a project folder) is refused, so model.save never deletes a file that is not a model's.
 */
function checkReplaceable(target: string): 'missing' | 'directory' {
  let entries: string[];
  try {
    if (!statSync(target).isDirectory()) throw new Error(`cannot save a TF.js model to ${target}: it exists and is not a directory`);
    entries = readdirSync(target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw e;
  }
  if (entries.length === 0) return 'directory';
  let listed: string[] = [];
  try {
    const json = JSON.parse(readFileSync(join(target, 'model.json'), 'utf8')) as LayersModelJson;
    listed = (json.weightsManifest ?? []).flatMap((g) => [...g.paths]);
  } catch {
    // No readable model.json: not a model directory.
  }
  const allowed = new Set(['model.json', 'effnet-manifest.json', ...listed]);
  const foreign = entries.filter((f) => !allowed.has(f));
  if (!entries.includes('model.json') || foreign.length) {
    throw new Error(`refusing to replace ${target}: it holds files that are not a TF.js model's (${(foreign.length ? foreign : entries).slice(0, 5).join(', ')}); save to a new directory`);
  }
  return 'directory';
}

/**
 * Writes a model the way the compiler does (model.json + 4 MB shards), into a sibling temporary directory
 * (an unpredictable name) renamed over the target at the end, so a failed save leaves the old directory or
 * nothing, never a mix.
 */
export function saveArtifacts(dir: string, artifacts: ModelArtifacts): void {
  const target = resolve(dir);
  const existing = checkReplaceable(target);
  const tmp = mkdtempSync(join(dirname(target), `.${basename(target)}.tfjs-save-`));
  const bytes = weightBytes(artifacts.weightData);
  const count = Math.max(1, Math.ceil(bytes.byteLength / SHARD_BYTES));
  const paths = Array.from({ length: count }, (_, i) => shardName(i, count));
  const json = {
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    modelTopology: artifacts.modelTopology,
    ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
    // The model's metadata (effnet.preprocessing among it) survives a load and save.
    ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
    weightsManifest: [{ paths, weights: artifacts.weightSpecs ?? [] }],
  };
  try {
    writeFileSync(join(tmp, 'model.json'), JSON.stringify(json), { flag: 'wx' });
    for (let i = 0; i < count; i++) writeFileSync(join(tmp, paths[i]!), bytes.subarray(i * SHARD_BYTES, Math.min(bytes.byteLength, (i + 1) * SHARD_BYTES)), { flag: 'wx' });
    chmodSync(tmp, 0o755);
    if (existing === 'directory') {
      const old = `${tmp}-old`;
      renameSync(target, old);
      renameSync(tmp, target);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(tmp, target);
    }
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** An IOHandler reading and writing a LayersModel directory (or its model.json path, for loading). */
export function fileIOHandler(path: string): IOHandler {
  return {
    load: async () => loadArtifacts(path),
    save: async (artifacts: ModelArtifacts): Promise<SaveResult> => {
      saveArtifacts(path.endsWith('.json') ? dirname(path) : path, artifacts);
      const weightDataBytes = weightBytes(artifacts.weightData).byteLength;
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: JSON.stringify(artifacts.modelTopology ?? null).length,
          weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
          weightDataBytes,
        },
      };
    },
  };
}
