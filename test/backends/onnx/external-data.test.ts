/**
 * External data (the ONNX convention: TensorProto.data_location = EXTERNAL, external_data {location, offset,
 * length}): written on --external-data and automatically past the protobuf limit; onnxruntime-node loads it,
 * including a B7-sized model (66M parameters, 265 MB of weights) run at 64x64.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { onnxBackend } from '../../../backends/onnx/onnx-backend.js';
import { compileSpec } from '../../helpers.js';
import { decode, defaults, emitToFile, inputDims, runOrt, tempDir } from './onnx-helpers.js';

const dir = tempDir('external');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('external data', { timeout: 60_000 }, () => {
  it('--external-data: weights go to the side file, and ORT gives the same logits as the embedded file', async () => {
    const g = compileSpec('efficientnet-b0.effnet', { scaling: { inputSize: 64 } }).graph;
    const embedded = await emitToFile(g, dir, 'b0.onnx');
    const external = await emitToFile(g, dir, 'b0-ext.onnx', { externalData: true });
    // The side file is named after its bytes: b0-ext.onnx.<16 hex digits of its sha256>.data.
    const sides = readdirSync(dir).filter((f) => f.startsWith('b0-ext.onnx.'));
    expect(sides).toHaveLength(1);
    expect(sides[0]).toMatch(/^b0-ext\.onnx\.[0-9a-f]{16}\.data$/);
    const data = path.join(dir, sides[0]!);
    expect(createHash('sha256').update(readFileSync(data)).digest('hex').slice(0, 16)).toBe(sides[0]!.split('.')[2]);
    expect(statSync(external).size).toBeLessThan(1e6);
    expect(statSync(embedded).size).toBeGreaterThan(2e7);

    const m = decode(readFileSync(external));
    const ext = m.graph!.initializer.filter((t) => t.dataLocation === 1);
    expect(ext.length).toBeGreaterThan(100);
    let expectedOffset = 0;
    for (const t of ext) {
      const kv = Object.fromEntries(t.externalData.map((e) => [e.key, e.value]));
      expect(kv.location).toBe(sides[0]);
      expect(Number(kv.offset)).toBe(expectedOffset);
      expect(Number(kv.length)).toBe(4 * t.dims.map(Number).reduce((a, b) => a * b, 1));
      expect(t.rawData?.length ?? 0).toBe(0);
      expectedOffset += Number(kv.length);
    }
    expect(statSync(data).size).toBe(expectedOffset);

    const dims = inputDims(g, 1);
    const a = await runOrt(embedded, dims);
    const b = await runOrt(external, dims);
    expect(b.outputs.logits!.data).toEqual(a.outputs.logits!.data);
  });

  it('switches to external data by itself when the model would pass the embedded limit', () => {
    const g = compileSpec('mobilenet-v2.effnet').graph;
    expect(onnxBackend.emit(g, defaults).files).toHaveLength(1);
    const big = onnxBackend.emit(g, { ...defaults, maxEmbeddedBytes: 1e6 });
    // The side file comes first, and is named once its bytes are out.
    for (const c of big.files[0]!.chunks()) void c;
    expect(big.files.map((f) => f.path)).toEqual([expect.stringMatching(/^model\.onnx\.[0-9a-f]{16}\.data$/), '']);
    expect(big.summary.externalDataBytes).toBeGreaterThan(1.3e7);
  });

  it('a B7-sized model (265 MB of weights) written with external data loads and runs in onnxruntime-node', async () => {
    const c = compileSpec('efficientnet-b0.effnet', { scaling: { width: 2.0, depth: 3.1, inputSize: 64 } });
    const model = await emitToFile(c.graph, dir, 'b7.onnx', { externalData: true, weights: 'random' });
    const data = path.join(dir, readdirSync(dir).find((f) => /^b7\.onnx\.[0-9a-f]{16}\.data$/.test(f))!);
    expect(statSync(data).size).toBeGreaterThan(2.6e8);
    const { outputs } = await runOrt(model, inputDims(c.graph, 1));
    expect(outputs.logits!.dims).toEqual([1, 1000]);
    expect(outputs.logits!.data.every(Number.isFinite)).toBe(true);
    rmSync(data);
  }, 300_000);
});
