/**
 * Quantized weights on a trained network (digits-pipeline.ts): a 305 k-parameter EfficientNet-style spec
 * trained through the PyTorch backend on scikit-learn's digits, brought back with --weights, compiled with each
 * --quantize mode and run on the 360 held-out images in TF.js (wasm) and onnxruntime-node. float16 and uint16
 * must not change a decision (at most 1 % of the top-1 classes); uint8 may cost at most 3 points of accuracy.
 * Every logit error stays inside the tolerance --verify applies to that storage (backends/agreement.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareOutputs, WEIGHT_TOLERANCE } from '../../backends/agreement.js';
import { accuracyOf, digitsUnavailable, formatTable, HELD_OUT, measureStorages, trainDigits, type Measured, type Trained } from './digits-pipeline.js';

const why = digitsUnavailable();
const work = mkdtempSync(path.join(tmpdir(), 'effnet-digits-'));
let trained: Trained;
let results: Measured[];
const find = (target: string, storage: string) => results.find((r) => r.target === target && r.storage === storage)!;

beforeAll(async () => {
  if (why) return;
  const t0 = performance.now();
  trained = await trainDigits(work);
  const t1 = performance.now();
  results = await measureStorages(work, trained);
  const t2 = performance.now();
  console.log([`trained in ${((t1 - t0) / 1000).toFixed(1)} s (${trained.trainSeconds.toFixed(1)} s in torch), measured in ${((t2 - t1) / 1000).toFixed(1)} s; torch held-out accuracy ${trained.torchAccuracy.toFixed(4)}`, ...formatTable(results)].join('\n'));
}, 180_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(why !== undefined)(`a trained classifier with quantized weights${why ? ` (skipped: ${why})` : ''}`, () => {
  it('trains: held-out accuracy above 0.9, and the float32 exports compute what torch computes', () => {
    expect(trained.labels.length).toBe(HELD_OUT);
    expect(trained.torchAccuracy).toBeGreaterThan(0.9);
    for (const target of ['tfjs', 'onnx']) {
      const f = find(target, 'float32');
      expect(f.accuracy).toBeCloseTo(accuracyOf(trained.torchLogits, trained.labels), 6);
      const a = compareOutputs(f.logits, trained.torchLogits);
      // Logits of order 1 or more: a relative tolerance means something.
      expect(a.scale).toBeGreaterThan(1);
      expect(a.ok, `${target}: ${a.summary}`).toBe(true);
    }
  });

  // TF.js's figure is the shards alone; ONNX's is the whole file, whose graph (22 KB here) does not shrink.
  it.each([
    ['tfjs', 'float16', 0.5, 0.5],
    ['tfjs', 'uint16', 0.5, 0.5],
    ['tfjs', 'uint8', 0.25, 0.25],
    ['onnx', 'float16', 0.5, 0.53],
  ] as const)('%s %s weights take %s of the float32 bytes', (target, storage, low, high) => {
    const r = find(target, storage).bytes / find(target, 'float32').bytes;
    expect(r).toBeGreaterThanOrEqual(low);
    expect(r).toBeLessThanOrEqual(high);
  });

  it.each([
    ['tfjs', 'float16'],
    ['tfjs', 'uint16'],
    ['onnx', 'float16'],
  ] as const)('%s %s: top-1 agreement at least 0.99, accuracy within a point, logits within the --verify tolerance', (target, storage) => {
    const r = find(target, storage);
    const f = find(target, 'float32');
    expect(r.agreement).toBeGreaterThanOrEqual(0.99);
    expect(Math.abs(r.accuracy - f.accuracy)).toBeLessThanOrEqual(0.01);
    // Quantized (some difference), and within what --verify accepts for this storage.
    expect(r.relative).toBeGreaterThan(1e-6);
    expect(r.relative).toBeLessThanOrEqual(WEIGHT_TOLERANCE[storage]);
  });

  it('tfjs uint8: accuracy within 3 points of float32, top-1 agreement at least 0.97, logits within the --verify tolerance', () => {
    const r = find('tfjs', 'uint8');
    const f = find('tfjs', 'float32');
    expect(r.accuracy).toBeGreaterThanOrEqual(f.accuracy - 0.03);
    expect(r.agreement).toBeGreaterThanOrEqual(0.97);
    expect(r.relative).toBeGreaterThan(1e-4);
    expect(r.relative).toBeLessThanOrEqual(WEIGHT_TOLERANCE.uint8);
  });

  it('costs more the coarser the storage: uint16 < float16 < uint8', () => {
    expect(find('tfjs', 'uint16').relative).toBeLessThan(find('tfjs', 'float16').relative);
    expect(find('tfjs', 'float16').relative).toBeLessThan(find('tfjs', 'uint8').relative);
  });
});
