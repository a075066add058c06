/**
 * TF.js LayersModel directories: model.json (format 'layers-model', a Keras modelTopology, and a
 * weightsManifest of groups, each naming its shard files and the weights stored in them back to back) plus
 * the shards. The weights of all groups, read in manifest order, form one stream: `weights` is the shards
 * concatenated in the order tfjsShardPaths gives.
 *
 * Weights are float32, int32 or bool, optionally quantized as tfjs-converter writes them (--quantize_uint8,
 * --quantize_uint16, --quantize_float16). Decoding follows tfjs-core's io_utils decodeWeights: uint8 and
 * uint16 values are `stored * scale + min` (computed in doubles, then rounded to float32, as tfjs does), and
 * float16 is decoded exactly.
 */
import type { ByteSource, ConcatenatedSource } from './byte-source.js';
import { CheckpointError, elementCount, isCount, notAFloat, type Checkpoint, type CheckpointTensor, type Quantization, type SourceDType } from './checkpoint.js';
import { decodeFloats } from './decode-floats.js';

/** tfjs dtypes → how effnet lists them and their bytes per element. */
const dtypes: Readonly<Record<string, { dtype: SourceDType; bytes: number }>> = {
  float32: { dtype: 'F32', bytes: 4 },
  int32: { dtype: 'I32', bytes: 4 },
  bool: { dtype: 'BOOL', bytes: 1 },
};
const quantizedBytes: Readonly<Record<Quantization['dtype'], number>> = { uint8: 1, uint16: 2, float16: 2 };

interface Weight {
  readonly name: string;
  readonly dtype: SourceDType;
  readonly shape: readonly number[];
  readonly quantization?: Quantization;
  readonly count: number;
  readonly bytes: number;
}

interface Group {
  readonly paths: readonly string[];
  readonly weights: readonly Weight[];
}

const bad = (message: string) => new CheckpointError(`TF.js model.json: ${message}`);

/** The shard files of every group, in manifest order, relative to model.json's directory. */
export function tfjsShardPaths(modelJson: string): string[] {
  return parseModel(modelJson).groups.flatMap((g) => g.paths);
}

export function readTfjsLayers(modelJson: string, weights: ByteSource): Checkpoint {
  const { groups, metadata } = parseModel(modelJson);
  const total = groups.reduce((s, g) => s + g.weights.reduce((t, w) => t + w.bytes, 0), 0);
  checkShardSizes(groups, weights, total);

  const tensors = new Map<string, CheckpointTensor>();
  let offset = 0;
  for (const g of groups) {
    for (const w of g.weights) {
      if (tensors.has(w.name)) throw bad(`weight '${w.name}' is listed twice`);
      const at = offset;
      tensors.set(w.name, {
        name: w.name,
        dtype: w.dtype,
        shape: w.shape,
        ...(w.quantization ? { quantization: w.quantization } : {}),
        toFloat32: () => decode(w, weights.read(at, w.bytes)),
      });
      offset += w.bytes;
    }
  }
  return { format: 'tfjs-layers', tensors, metadata };
}

function decode(w: Weight, bytes: Uint8Array): Float32Array {
  if (w.dtype !== 'F32') throw notAFloat(w.name, w.dtype);
  const q = w.quantization;
  if (!q) return decodeFloats('F32', bytes, w.name);
  if (q.dtype === 'float16') return decodeFloats('F16', bytes, w.name);
  const scale = q.scale!;
  const min = q.min!;
  const out = new Float32Array(w.count);
  if (q.dtype === 'uint8') for (let i = 0; i < out.length; i++) out[i] = bytes[i]! * scale + min;
  else for (let i = 0; i < out.length; i++) out[i] = (bytes[2 * i]! | (bytes[2 * i + 1]! << 8)) * scale + min;
  return out;
}

/** The weights must fill the shards exactly; with the shards' own sizes, each group is checked on its own. */
function checkShardSizes(groups: readonly Group[], weights: ByteSource, total: number): void {
  const parts = (weights as Partial<ConcatenatedSource>).partSizes;
  const pathCount = groups.reduce((s, g) => s + g.paths.length, 0);
  if (parts && parts.length === pathCount) {
    let p = 0;
    for (const [i, g] of groups.entries()) {
      const held = parts.slice(p, p + g.paths.length).reduce((a, b) => a + b, 0);
      const needed = g.weights.reduce((s, w) => s + w.bytes, 0);
      p += g.paths.length;
      if (held !== needed) {
        throw bad(`weight group ${i + 1}'s shards (${g.paths.join(', ')}) hold ${held} bytes, but its ${g.weights.length} weights need ${needed} bytes (${held < needed ? 'a shard is truncated or missing' : 'a shard is longer than the manifest says'})`);
      }
    }
  }
  if (weights.size !== total) throw bad(`the weight shards hold ${weights.size} bytes, but the manifest's weights need ${total} bytes`);
}

function parseModel(text: string): { groups: Group[]; metadata: Record<string, string> } {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw bad(`does not parse as JSON: ${(e as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw bad('is not a JSON object');
  const model = json as Record<string, unknown>;
  if (model.format === 'graph-model') throw bad("format is 'graph-model' (a converted TensorFlow graph); effnet reads Keras-style layers models");
  if (model.format !== undefined && model.format !== 'layers-model') throw bad(`format is ${JSON.stringify(model.format)}, not 'layers-model'`);
  if (model.modelTopology === undefined) throw bad('has no modelTopology, so it is not a TF.js layers model');
  if (!Array.isArray(model.weightsManifest)) throw bad('has no weightsManifest list');

  const groups = model.weightsManifest.map((g: unknown, i): Group => {
    const where = `weightsManifest[${i}]`;
    if (typeof g !== 'object' || g === null) throw bad(`${where} is not an object with paths and weights`);
    const { paths, weights } = g as Record<string, unknown>;
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string')) throw bad(`${where}.paths is not a list of file names`);
    for (const p of paths as string[]) checkShardPath(p, where);
    if (!Array.isArray(weights)) throw bad(`${where}.weights is not a list`);
    return { paths: paths as string[], weights: weights.map((w: unknown, j) => readWeight(w, `${where}.weights[${j}]`)) };
  });
  const metadata: Record<string, string> = {};
  for (const key of ['format', 'generatedBy', 'convertedBy']) if (typeof model[key] === 'string') metadata[key] = model[key] as string;
  return { groups, metadata };
}

/** Shards are opened next to model.json: a path that is absolute, has a scheme, or climbs out with '..' is refused. */
function checkShardPath(p: string, where: string): void {
  const parts = p.split('/');
  if (p === '' || p.startsWith('/') || p.includes('\\') || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(p) || parts.some((s) => s === '..' || s === '')) {
    throw bad(`${where}.paths holds '${p}', which is not a file name inside the model's directory`);
  }
}

function readWeight(value: unknown, where: string): Weight {
  if (typeof value !== 'object' || value === null) throw bad(`${where} is not an object with name, shape and dtype`);
  const { name, shape, dtype, quantization } = value as Record<string, unknown>;
  if (typeof name !== 'string') throw bad(`${where} has no name`);
  const what = `weight '${name}'`;
  if (!Array.isArray(shape) || !shape.every(isCount)) throw bad(`${what}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  const known = typeof dtype === 'string' ? dtypes[dtype] : undefined;
  if (!known) throw bad(`${what}: dtype ${JSON.stringify(dtype)} is not supported (effnet reads ${Object.keys(dtypes).join(', ')})`);
  const count = elementCount(shape);
  if (count === undefined) throw bad(`${what}: shape [${shape.join(', ')}] has more than 2^53 elements`);
  if (quantization === undefined) return { name, dtype: known.dtype, shape, count, bytes: count * known.bytes };

  if (typeof quantization !== 'object' || quantization === null) throw bad(`${what}: quantization is not an object`);
  const q = quantization as Record<string, unknown>;
  if (q.dtype !== 'uint8' && q.dtype !== 'uint16' && q.dtype !== 'float16') throw bad(`${what}: quantization dtype ${JSON.stringify(q.dtype)} is not uint8, uint16 or float16`);
  if (known.dtype === 'BOOL') throw bad(`${what}: a bool weight cannot be quantized`);
  if (q.dtype === 'float16') {
    if (known.dtype !== 'F32') throw bad(`${what}: float16 quantization applies only to float32 weights, not ${dtype}`);
    return { name, dtype: known.dtype, shape, count, bytes: count * 2, quantization: { dtype: 'float16' } };
  }
  const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  if (!finite(q.scale) || !finite(q.min)) throw bad(`${what}: ${q.dtype} quantization needs numeric scale and min`);
  return { name, dtype: known.dtype, shape, count, bytes: count * quantizedBytes[q.dtype], quantization: { dtype: q.dtype, scale: q.scale, min: q.min } };
}
