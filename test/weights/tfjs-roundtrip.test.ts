/**
 * Train in TF.js, ship as ONNX: a small model compiled by effnet, trained a few steps with model.fit on the
 * cpu backend and saved with model.save (its batch-norm statistics moved by training), is compiled with
 * --weights from the saved directory; onnxruntime-node then gives the logits TF.js gives.
 * And model.save never replaces a directory that is not a TF.js model's.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareOutputs } from '../../backends/agreement.js';
import { sampleInput } from '../../backends/sample-input.js';
import { fileIOHandler, saveArtifacts } from '../../backends/tfjs/runtime/file-io-handler.js';
import { selectBackend } from '../../backends/tfjs/runtime/select-backend.js';
import { SMALL_SPEC } from '../backends/tfjs/tfjs-helpers.js';
import { cli } from '../cli/run-cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'effnet-tfjs-rt-'));

beforeAll(async () => {
  // tfjs-backend-wasm 4.22 has no convolution gradients: train on cpu.
  await selectBackend('cpu');
});

describe('a TF.js model trained with fit and saved with model.save compiles to ONNX with its trained weights', () => {
  it('ONNX gives the logits TF.js gives', async () => {
    writeFileSync(path.join(dir, 'small.effnet'), SMALL_SPEC);
    const initial = path.join(dir, 'initial');
    expect((await cli('compile', path.join(dir, 'small.effnet'), '--target', 'tfjs', '-o', initial)).code).toBe(0);
    const model = await tf.loadLayersModel(fileIOHandler(initial));
    model.compile({ optimizer: tf.train.sgd(0.05), loss: (y: tf.Tensor, p: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, p) });
    const xs = tf.tensor(sampleInput(8 * 16 * 16 * 3, 3), [8, 16, 16, 3]);
    const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 0, 1, 2], 'int32'), 5);
    const history = await model.fit(xs, ys, { epochs: 4, batchSize: 8, shuffle: false, verbose: 0 });
    const losses = history.history.loss as number[];
    expect(losses.every(Number.isFinite)).toBe(true);
    const trained = path.join(dir, 'trained');
    await model.save(fileIOHandler(trained));

    const onnx = path.join(dir, 'trained.onnx');
    const r = await cli('compile', path.join(dir, 'small.effnet'), '--weights', trained, '-o', onnx);
    expect(r.code, r.stderr).toBe(0);
    const mapped = JSON.parse((await cli('weights', path.join(dir, 'small.effnet'), trained, '--json')).stdout);
    expect(mapped).toMatchObject({ ok: true, format: 'tfjs-layers', convention: 'tfjs', unused: [] });

    const want = (await (model.predict(xs) as tf.Tensor).data()) as Float32Array;
    const nhwc = xs.dataSync();
    const nchw = new Float32Array(nhwc.length);
    for (let b = 0; b < 8; b++) for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) for (let c = 0; c < 3; c++) nchw[((b * 3 + c) * 16 + y) * 16 + x] = nhwc[((b * 16 + y) * 16 + x) * 3 + c]!;
    const s = await ort.InferenceSession.create(onnx);
    const got = (await s.run({ input: new ort.Tensor('float32', nchw, [8, 3, 16, 16]) })).logits!.data as Float32Array;
    await s.release();
    const a = compareOutputs(got, want, 'cpu');
    console.log(`TF.js trained (losses ${losses.map((l) => l.toFixed(3)).join(', ')}) -> ONNX: ${a.summary}`);
    expect(a.evidence && a.ok, a.summary).toBe(true);
    // The trained weights differ from the initial ones: this is not the seeded model again.
    const initialOnnx = path.join(dir, 'initial.onnx');
    expect((await cli('compile', path.join(dir, 'small.effnet'), '-o', initialOnnx)).code).toBe(0);
    expect(readFileSync(initialOnnx).equals(readFileSync(onnx))).toBe(false);
    tf.dispose([xs, ys]);
    model.dispose();
  });

  it('model.save refuses a directory that holds anything but a TF.js model, and replaces one that holds only that', () => {
    const project = path.join(dir, 'project');
    mkdirSync(project);
    writeFileSync(path.join(project, 'README.md'), 'mine');
    const artifacts = { modelTopology: {}, weightSpecs: [], weightData: new ArrayBuffer(0) };
    expect(() => saveArtifacts(project, artifacts)).toThrow(/refusing to replace .*project: it holds files that are not a TF\.js model's \(README\.md\)/);
    expect(readdirSync(project)).toEqual(['README.md']);
    const model = path.join(dir, 'm');
    saveArtifacts(model, artifacts);
    saveArtifacts(model, artifacts);
    expect(readdirSync(model).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
    expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});
