/** Helpers for the ONNX backend tests: emit to bytes or to disk, inspect with onnx-proto, run in ORT and python-onnx. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import type { Artifact } from '../../../backends/backend.js';
import { onnxBackend, type OnnxEmitOptions } from '../../../backends/onnx/onnx-backend.js';
import { sampleInput } from '../../../backends/sample-input.js';
import type { Graph } from '../../../src/ir/graph.js';
import { writeArtifact } from '../../../src/cli/output/write-artifact.js';
import { repoRoot } from '../../helpers.js';

export const { onnx } = onnxProto;

/** A decoded model as protobufjs gives it (repeated fields present, strings defaulted), typed for the tests. */
export interface Int64 {
  toString(): string;
}
export interface DecodedTensor {
  name: string;
  dims: (number | Int64)[];
  dataType: number;
  rawData?: Uint8Array;
  dataLocation: number;
  externalData: { key: string; value: string }[];
}
export interface DecodedNode {
  name: string;
  opType: string;
  input: string[];
  output: string[];
}
export interface DecodedValueInfo {
  name: string;
  type: { tensorType: { shape: { dim: { dimValue?: number | Int64; dimParam?: string }[] } } };
}
export interface ModelProto {
  irVersion: number | Int64;
  producerName: string;
  opsetImport: { domain: string; version: number | Int64 }[];
  metadataProps: { key: string; value: string }[];
  graph: {
    name: string;
    node: DecodedNode[];
    initializer: DecodedTensor[];
    input: DecodedValueInfo[];
    output: DecodedValueInfo[];
    valueInfo: DecodedValueInfo[];
  };
}

export const peersDir = path.resolve(repoRoot, '../shared/peers');
export const python = '/usr/bin/python3';

export const defaults: OnnxEmitOptions = { seed: 0, weights: 'random' };

export function tempDir(tag: string): string {
  return mkdtempSync(path.join(tmpdir(), `effnet-onnx-${tag}-`));
}

/** All chunks of the artifact's main file, concatenated (small models only). */
export function artifactBytes(artifact: Artifact, file = 0): Uint8Array {
  const chunks = [...artifact.files[file]!.chunks()];
  const out = new Uint8Array(chunks.reduce((s, c) => s + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

export function sha256(artifact: Artifact): string {
  const h = createHash('sha256');
  for (const f of artifact.files) for (const c of f.chunks()) h.update(c);
  return h.digest('hex');
}

export function emitBytes(graph: Graph, options: Partial<OnnxEmitOptions> = {}): Uint8Array {
  return artifactBytes(onnxBackend.emit(graph, { ...defaults, ...options }));
}

export function decode(bytes: Uint8Array): ModelProto {
  return onnx.ModelProto.decode(bytes) as unknown as ModelProto;
}

export function encode(model: ModelProto): Uint8Array {
  return onnx.ModelProto.encode(model as unknown as onnxProto.onnx.IModelProto).finish();
}

/** Emits and writes the model (and its side file) into `dir`; returns the model path. */
export async function emitToFile(graph: Graph, dir: string, name: string, options: Partial<OnnxEmitOptions> = {}): Promise<string> {
  const out = path.join(dir, name);
  await writeArtifact(onnxBackend.emit(graph, { ...defaults, externalDataBase: name, ...options }), out);
  return out;
}

export const pythonOnnxAvailable = existsSync(python) && (() => {
  try {
    execFileSync(python, ['-c', 'import onnx'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Runs onnx.checker.check_model(full_check=True) on every file in one python process; returns path → error or ''. */
export function checkModels(paths: readonly string[]): Record<string, string> {
  const script = [
    'import json, sys, onnx',
    'out = {}',
    'for p in sys.argv[1:]:',
    '    try:',
    '        onnx.checker.check_model(onnx.load(p), full_check=True)',
    "        out[p] = ''",
    '    except Exception as e:',
    '        out[p] = (type(e).__name__ + ": " + str(e))[:500]',
    'print(json.dumps(out))',
  ].join('\n');
  const stdout = execFileSync(python, ['-c', script, ...paths], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(stdout) as Record<string, string>;
}

export const randomInput = sampleInput;

export interface OrtResult {
  readonly outputs: Record<string, { dims: readonly number[]; data: Float32Array }>;
}

/** Runs a model (path or bytes) on one input tensor named 'input' with NCHW dims. */
export async function runOrt(model: string | Uint8Array, dims: readonly number[], input = randomInput(dims.reduce((a, b) => a * b, 1))): Promise<OrtResult> {
  const session = typeof model === 'string' ? await ort.InferenceSession.create(model) : await ort.InferenceSession.create(model);
  try {
    const result = await session.run({ input: new ort.Tensor('float32', input, [...dims]) });
    const outputs: OrtResult['outputs'] = {};
    for (const [name, t] of Object.entries(result)) outputs[name] = { dims: [...t.dims], data: t.data as Float32Array };
    return { outputs };
  } finally {
    await session.release();
  }
}

/** Input dims [batch, C, H, W] of a graph. */
export function inputDims(graph: Graph, batch: number): number[] {
  const [h, w, c] = graph.nodes[0]!.shape as [number, number, number];
  return [batch, c, h, w];
}

/** Largest |a - b| relative to the largest |b|. */
export function relativeError(a: Float32Array, b: Float32Array): number {
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < b.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
    maxRef = Math.max(maxRef, Math.abs(b[i]!));
  }
  return maxDiff / maxRef;
}

/** The dims of an initializer, by name. */
export function initializerDims(model: ModelProto): Map<string, number[]> {
  return new Map(model.graph!.initializer.map((t) => [t.name, t.dims.map(Number)]));
}

/** Elements of the weights each Conv and Gemm node uses, counted per use (torch.onnx shares equal tensors through Identity). */
export function layerWeightElements(model: ModelProto): number {
  const dims = initializerDims(model);
  const alias = new Map<string, string>();
  for (const n of model.graph!.node) if (n.opType === 'Identity') alias.set(n.output[0]!, n.input[0]!);
  const resolve = (name: string): string => (alias.has(name) ? resolve(alias.get(name)!) : name);
  let total = 0;
  for (const n of model.graph!.node) {
    if (n.opType !== 'Conv' && n.opType !== 'Gemm') continue;
    for (const input of n.input.slice(1)) total += (dims.get(resolve(input)) ?? [0]).reduce((a, b) => a * b, 1);
  }
  return total;
}

/** Weight shapes of Conv nodes in graph order, resolving Identity aliases (torch.onnx exports share weights through them). */
export function convWeightShapes(model: ModelProto): number[][] {
  const dims = initializerDims(model);
  const alias = new Map<string, string>();
  for (const n of model.graph!.node) if (n.opType === 'Identity') alias.set(n.output[0]!, n.input[0]!);
  const resolve = (name: string): string => (alias.has(name) ? resolve(alias.get(name)!) : name);
  return model.graph!.node.filter((n) => n.opType === 'Conv').map((n) => {
    const d = dims.get(resolve(n.input[1]!));
    if (!d) throw new Error(`Conv ${n.name}: weight ${n.input[1]} is not an initializer`);
    return d;
  });
}

/** Elements of every initializer whose name matches. */
export function countElements(model: ModelProto, keep: (name: string) => boolean = () => true): number {
  return model.graph!.initializer.filter((t) => keep(t.name)).reduce((s, t) => s + t.dims.map(Number).reduce((a, b) => a * b, 1), 0);
}
