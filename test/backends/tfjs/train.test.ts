/**
 * The artifact is a real Keras model, not just an inference graph: EfficientNet-B0 at 32x32 with 10 classes
 * loads, compiles, and fits for a few steps on random data (the loss changes and stays finite; BN statistics
 * and drop-connect run in training mode), and `model.save` round-trips through fileIOHandler with the trained
 * weights intact.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileIOHandler } from '../../../backends/tfjs/runtime/file-io-handler.js';
import { selectBackend } from '../../../backends/tfjs/runtime/select-backend.js';
import { compileEdited, emitToDir, randomInput, tempDir } from './tfjs-helpers.js';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

describe('TF.js training', () => {
  it('EfficientNet-B0 @32, 10 classes: compile, fit, save, load again', async () => {
    const c = compileEdited('efficientnet-b0.effnet', { scaling: { inputSize: 32 } }, (t) => t.replace(/classes\s+1000/, 'classes 10'));
    expect(c.graph.nodes[c.graph.output]!.shape).toEqual([10]);
    const { dir } = emitToDir(c, 'train');
    dirs.push(dir);
    // tfjs-backend-wasm 4.22 has no conv gradient kernels (Conv2DBackpropFilter): train on cpu (or tfjs-node).
    await selectBackend('cpu');

    const model = await tf.loadLayersModel(fileIOHandler(dir));
    // The network ends in logits; softmax cross-entropy from logits is the numerically sound loss.
    model.compile({ optimizer: tf.train.adam(1e-3), loss: (y: tf.Tensor, p: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, p) });
    // Three steps of batch 2: the cpu backend's Conv2DBackpropFilter is naive (~5 s a step here), so keep it short.
    const n = 2;
    const xs = tf.tensor(randomInput([n, 32, 32, 3], 5), [n, 32, 32, 3]);
    const ys = tf.oneHot(tf.tensor1d([3, 7], 'int32'), 10);
    const history = await model.fit(xs, ys, { epochs: 3, batchSize: 2, shuffle: false, verbose: 0 });
    const losses = history.history.loss as number[];
    expect(losses).toHaveLength(3);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[2]).not.toBe(losses[0]);
    // BN running statistics moved away from their initial (0, 1).
    const mean = model.getLayer('stem_bn').weights.find((w) => w.name.includes('moving_mean'))!.read();
    expect(Math.max(...Array.from(mean.dataSync()).map(Math.abs))).toBeGreaterThan(0);

    const saved = path.join(tempDir('saved'), 'model');
    dirs.push(path.dirname(saved));
    await model.save(fileIOHandler(saved));
    expect(readdirSync(saved).sort()).toContain('model.json');
    expect(readdirSync(path.dirname(saved))).toEqual(['model']); // no temporary left beside it
    const again = await tf.loadLayersModel(fileIOHandler(saved));
    const before = model.predict(xs) as tf.Tensor;
    const after = again.predict(xs) as tf.Tensor;
    expect(Array.from(after.dataSync())).toEqual(Array.from(before.dataSync()));
    expect(readdirSync(saved).some((f) => f.startsWith('group1-shard1of'))).toBe(true);
    tf.dispose([xs, ys, before, after]);
    model.dispose();
    again.dispose();
  });
});
