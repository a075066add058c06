/**
 * The emitted directories in TF.js itself, with only @tensorflow/tfjs installed: `tf.loadLayersModel` reads
 * them through fileIOHandler, the wasm and cpu backends give the same logits, backend selection falls back
 * to wasm here (tfjs-node is absent) and says so, and hard_sigmoid / hard_swish are relu6(x + 3) / 6 exactly
 * (TF.js's own 'hardSigmoid' is 0.2x + 0.5).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { fileIOHandler } from '../../../backends/tfjs/runtime/file-io-handler.js';
import { selectBackend } from '../../../backends/tfjs/runtime/select-backend.js';
import { compileSpec } from '../../helpers.js';
import { compare, compileEdited, emitToDir, randomInput } from './tfjs-helpers.js';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

async function predict(dir: string, backend: string, input: Float32Array, shape: readonly number[]): Promise<Float32Array> {
  await tf.setBackend(backend);
  const model = await tf.loadLayersModel(fileIOHandler(dir));
  const x = tf.tensor(input, [1, ...shape]);
  const y = model.predict(x) as tf.Tensor;
  const out = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  model.dispose();
  return out;
}

describe('TF.js runtime (only @tensorflow/tfjs installed)', () => {
  it('selects wasm when tfjs-node is absent and says which backend it used', async () => {
    const s = await selectBackend('auto');
    expect(s.backend).toBe('wasm');
    expect(s.description).toMatch(/tfjs-node.*not installed/);
    expect((await selectBackend('cpu')).backend).toBe('cpu');
    await expect(selectBackend('tensorflow')).rejects.toThrow(/tfjs-node/);
  });

  it.each(['efficientnet-b0.effnet', 'mobilenet-v2.effnet'])('%s @64 loads with tf.loadLayersModel; wasm and cpu agree', async (file) => {
    const c = compileSpec(file, { scaling: { inputSize: 64 } });
    const { dir } = emitToDir(c, 'rt', { randomBatchNorm: true });
    dirs.push(dir);
    await selectBackend('wasm');
    const shape = c.graph.nodes[0]!.shape;
    const input = randomInput(shape, 3);
    const onWasm = await predict(dir, 'wasm', input, shape);
    const onCpu = await predict(dir, 'cpu', input, shape);
    expect(onWasm.length).toBe(1000);
    expect(onWasm.every(Number.isFinite)).toBe(true);
    expect(compare(onWasm, onCpu).rel).toBeLessThan(1e-4);
  });

  it('hard_sigmoid and hard_swish are relu6(x + 3) / 6 (and x times it), not TF.js hardSigmoid', async () => {
    // A tiny model ending in a hard activation, with a dense layer whose output spans [-5, 5].
    const c = compileEdited('mobilenet-v1.effnet', { scaling: { inputSize: 32 } }, (t) => t.replace(/activation\s+relu6/, 'activation hard_swish'));
    expect(c.graph.nodes.some((n) => n.op.kind === 'activation' && n.op.fn === 'hard_swish')).toBe(true);
    const { dir } = emitToDir(c, 'hard');
    dirs.push(dir);
    await tf.setBackend('cpu');
    const model = await tf.loadLayersModel(fileIOHandler(dir));
    // The stem's BN output and its hard_swish output, from a sub-model over the loaded graph.
    const bn = model.getLayer('stem_bn').output as tf.SymbolicTensor;
    const act = model.getLayer('stem_activation').output as tf.SymbolicTensor;
    const probe = tf.model({ inputs: model.inputs, outputs: [bn, act] });
    const x = tf.tensor(randomInput(c.graph.nodes[0]!.shape, 9), [1, ...c.graph.nodes[0]!.shape]).mul(4);
    const [pre, post] = (probe.predict(x) as tf.Tensor[]).map((t) => t.dataSync() as Float32Array);
    const want = Array.from(pre!).map((v) => (v * Math.min(Math.max(v + 3, 0), 6)) / 6);
    expect(Math.min(...pre!)).toBeLessThan(-3);
    expect(Math.max(...pre!)).toBeGreaterThan(3);
    expect(compare(post!, want).maxAbs).toBeLessThan(1e-5);
    // And hard_sigmoid, the gate inside: the layer before the Multiply.
    const gate = model.getLayer('stem_activation_gate').output as tf.SymbolicTensor;
    const g = (tf.model({ inputs: model.inputs, outputs: gate }).predict(x) as tf.Tensor).dataSync();
    expect(compare(g, Array.from(pre!).map((v) => Math.min(Math.max(v + 3, 0), 6) / 6)).maxAbs).toBeLessThan(1e-6);
    model.dispose();
  });
});
