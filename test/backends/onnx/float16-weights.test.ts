/**
 * `--quantize float16` for ONNX (backends/onnx/float16-weights.ts): every weight initializer is stored as
 * FLOAT16 under `<name>/float16`, a Cast to float32 at the top of the graph gives the rest of the graph the
 * tensor it read before, the file halves, onnx.checker accepts it, and onnxruntime casts once at load (its
 * constant folding leaves no Cast and only float32 initializers), computing what the float32 file computes to
 * within float16's weight rounding.
 */
import * as ort from 'onnxruntime-node';
import { readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareOutputs } from '../../../backends/agreement.js';
import { compileSpec } from '../../helpers.js';
import { checkModels, decode, emitToFile, inputDims, pythonOnnxAvailable, runOrt, tempDir } from './onnx-helpers.js';

const dir = tempDir('float16');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FLOAT = 1;
const FLOAT16 = 10;

describe('ONNX with float16 weights', () => {
  const c = compileSpec('mobilenet-v2.effnet', { scaling: { inputSize: 64 } });
  const options = { seed: 3, randomBatchNorm: true };

  it('stores each weight as FLOAT16 behind a Cast, keeps the Clip constants float32, and halves the file', async () => {
    const f32 = await emitToFile(c.graph, dir, 'f32.onnx', options);
    const f16 = await emitToFile(c.graph, dir, 'f16.onnx', { ...options, float16: true });
    const [a, b] = [decode(readFileSync(f32)), decode(readFileSync(f16))];
    const weights = a.graph.initializer.filter((t) => !t.name.startsWith('relu6/'));
    expect(weights.length).toBeGreaterThan(50);
    const stored = new Map(b.graph.initializer.map((t) => [t.name, t]));
    for (const t of weights) {
      expect(stored.get(`${t.name}/float16`)?.dataType).toBe(FLOAT16);
      expect(stored.get(`${t.name}/float16`)?.rawData?.length).toBe(t.rawData!.length / 2);
    }
    expect(b.graph.initializer.filter((t) => t.name.startsWith('relu6/')).map((t) => t.dataType)).toEqual([FLOAT, FLOAT]);
    // One Cast per weight, all before the first node that reads a weight, each producing the old name.
    const casts = b.graph.node.slice(0, weights.length);
    expect(casts.every((n) => n.opType === 'Cast')).toBe(true);
    expect(casts.map((n) => n.output[0]).sort()).toEqual(weights.map((t) => t.name).sort());
    expect(b.graph.node.slice(weights.length).map((n) => n.opType)).toEqual(a.graph.node.map((n) => n.opType));
    expect(b.metadataProps).toContainEqual({ key: 'effnet.quantization', value: 'float16 (cast to float32 at load)' });
    const ratio = statSync(f16).size / statSync(f32).size;
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(0.52);
  });

  it.skipIf(!pythonOnnxAvailable)('passes onnx.checker (full_check), with and without --keep-bn', async () => {
    const files = [await emitToFile(c.graph, dir, 'f16-check.onnx', { ...options, float16: true }), await emitToFile(c.graph, dir, 'f16-bn.onnx', { ...options, float16: true, keepBn: true })];
    expect(Object.values(checkModels(files))).toEqual(['', '']);
  });

  it('runs in onnxruntime as the float32 graph: constant folding leaves no Cast, and the logits differ only by the rounding', async () => {
    const f16 = await emitToFile(c.graph, dir, 'f16-run.onnx', { ...options, float16: true });
    const optimized = path.join(dir, 'optimized.onnx');
    const session = await ort.InferenceSession.create(f16, { graphOptimizationLevel: 'basic', optimizedModelFilePath: optimized });
    await session.release();
    const o = decode(readFileSync(optimized));
    expect(o.graph.node.filter((n) => n.opType === 'Cast')).toEqual([]);
    expect(new Set(o.graph.initializer.map((t) => t.dataType))).toEqual(new Set([FLOAT]));

    const dims = inputDims(c.graph, 2);
    const want = (await runOrt(path.join(dir, 'f32.onnx'), dims)).outputs.logits!.data;
    const got = (await runOrt(f16, dims)).outputs.logits!.data;
    const exact = compareOutputs(got, want);
    expect(exact.scale).toBeGreaterThan(0.5);
    // Not the float32 network (its weights were rounded), but within what --verify allows float16.
    expect(exact.ok).toBe(false);
    const a = compareOutputs(got, want, 'cpu', 'float16');
    expect(a.ok, a.summary).toBe(true);
  });

  it('writes float16 to the external-data side file too, at half the size', async () => {
    const f32 = await emitToFile(c.graph, dir, 'ext32.onnx', { ...options, externalData: true });
    const f16 = await emitToFile(c.graph, dir, 'ext16.onnx', { ...options, externalData: true, float16: true });
    const side = (model: string) => { const m = decode(readFileSync(model)); return statSync(path.join(dir, m.graph.initializer.find((t) => t.externalData.length)!.externalData.find((e) => e.key === 'location')!.value)).size; };
    expect(side(f16) / side(f32)).toBeCloseTo(0.5, 2);
    const dims = inputDims(c.graph, 1);
    const a = compareOutputs((await runOrt(f16, dims)).outputs.logits!.data, (await runOrt(path.join(dir, 'f16-run.onnx'), dims)).outputs.logits!.data);
    expect(a.maxAbsDifference).toBe(0);
  });
});
