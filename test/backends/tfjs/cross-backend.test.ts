/**
 * The proof that both backends compile the same network: for EfficientNet-B0, MobileNetV2, ResNet-50 and
 * every family written with user-defined blocks at 64x64, the TF.js directory (run by tfjs-backend-wasm) and the ONNX file (run by onnxruntime-node), emitted
 * with the same seed, give the same logits on the same random input to 1e-4 relative. BN statistics are
 * random (not identity) so the ONNX backend's BN folding and TF.js's BatchNormalization both do real work,
 * and the inputs differ only in layout (NHWC vs NCHW).
 */
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { onnxBackend } from '../../../backends/onnx/onnx-backend.js';
import { fileIOHandler } from '../../../backends/tfjs/runtime/file-io-handler.js';
import { selectBackend } from '../../../backends/tfjs/runtime/select-backend.js';
import { writeArtifact as writeAtomically } from '../../../src/cli/output/write-artifact.js';
import { compile } from '../../../src/pipeline.js';
import { tinyV3 } from '../onnx/cases.js';
import { compare, compileEdited, emitToDir, randomInput, tempDir } from './tfjs-helpers.js';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

/** NHWC [H, W, C] to NCHW [C, H, W] for one sample. */
function toNchw(x: Float32Array, [h, w, c]: readonly number[]): Float32Array {
  const out = new Float32Array(x.length);
  for (let y = 0; y < h!; y++) for (let i = 0; i < w!; i++) for (let k = 0; k < c!; k++) out[(k * h! + y) * w! + i] = x[(y * w! + i) * c! + k]!;
  return out;
}

const cases: [string, string, Parameters<typeof compileEdited>[1], ((t: string) => string)?][] = [
  ['EfficientNet-B0', 'efficientnet-b0.effnet', { scaling: { inputSize: 64 } }],
  ['MobileNetV2', 'mobilenet-v2.effnet', { scaling: { inputSize: 64 } }],
  ['ResNet-50', 'resnet.effnet', { scaling: { inputSize: 64 } }],
  // hard_swish / hard_sigmoid: built from Rescaling + ReLU(max 1) in TF.js, HardSwish in ONNX.
  ['MobileNetV1 with hard_swish', 'mobilenet-v1.effnet', { scaling: { inputSize: 64 } }, (t) => t.replace(/activation\s+relu6/, 'activation hard_swish')],
  // User-defined blocks: grouped convs (a block-diagonal Conv2D in TF.js), SE in a block, layer norm, GELU and
  // layer scale, concatenation, channel split and shuffle; and the built-in MobileNetV3-Small and EfficientNetV2-S.
  ['ResNeXt-50 32x4d', 'resnext.effnet', { scaling: { inputSize: 64 } }],
  ['RegNetY-400MF', 'regnet.effnet', { variant: 'regnet_y_400mf', scaling: { inputSize: 64 } }],
  ['ConvNeXt-T', 'convnext.effnet', { scaling: { inputSize: 64 } }],
  ['DenseNet-121', 'densenet.effnet', { scaling: { inputSize: 64 } }],
  ['ShuffleNetV2 x1.0', 'shufflenet-v2.effnet', { scaling: { inputSize: 64 } }],
  ['MobileNetV3-Small', 'mobilenet-v3-small.effnet', { scaling: { inputSize: 64 } }],
  ['EfficientNetV2-S', 'efficientnet-v2.effnet', { variant: 's', scaling: { inputSize: 64 } }],
];

describe('TF.js (wasm) and ONNX (onnxruntime-node) compile the same network', () => {
  it.each([...cases, ['MobileNetV3-like (hard_sigmoid SE gate, avg pool, dense head)', 'tiny-v3', {}] as (typeof cases)[number]])('%s @64: same seed, same input, logits agree to 1e-4 relative', async (_label, file, options, edit) => {
    const c = file === 'tiny-v3' ? (compile('tiny-v3.effnet', tinyV3(64)) as ReturnType<typeof compileEdited>) : compileEdited(file, options, edit);
    expect(c.graph.nodes[0]!.shape).toEqual([64, 64, 3]);
    const seed = 1234;
    const { dir } = emitToDir(c, 'x', { seed, randomBatchNorm: true });
    dirs.push(dir);
    const onnxDir = tempDir('x-onnx');
    dirs.push(onnxDir);
    const onnxPath = path.join(onnxDir, 'model.onnx');
    await writeAtomically(onnxBackend.emit(c.graph, { seed, weights: 'random', randomBatchNorm: true }), onnxPath);

    const shape = c.graph.nodes[0]!.shape;
    const input = randomInput(shape, 42);

    const { backend } = await selectBackend('wasm');
    expect(backend).toBe('wasm');
    const model = await tf.loadLayersModel(fileIOHandler(dir));
    const x = tf.tensor(input, [1, ...shape]);
    const y = model.predict(x) as tf.Tensor;
    const tfLogits = (await y.data()) as Float32Array;
    tf.dispose([x, y]);
    model.dispose();

    const session = await ort.InferenceSession.create(onnxPath);
    const feed = { [session.inputNames[0]!]: new ort.Tensor('float32', toNchw(input, shape), [1, shape[2]!, shape[0]!, shape[1]!]) };
    const result = await session.run(feed);
    const ortLogits = result[session.outputNames[0]!]!.data as Float32Array;
    await session.release();

    expect(tfLogits.length).toBe(ortLogits.length);
    const { maxAbs, rel } = compare(tfLogits, ortLogits);
    // Visible in the test log: the figures the issue asks to report.
    console.log(`${_label}: max |tfjs - ort| = ${maxAbs.toExponential(2)}, relative ${rel.toExponential(2)}`);
    expect(Math.max(...Array.from(ortLogits, Math.abs))).toBeGreaterThan(1e-3);
    expect(rel).toBeLessThan(1e-4);
  });
});

describe('TF.js inference export with BN folded into the convs (foldBatchNorm)', () => {
  it.each([['MobileNetV2', 'mobilenet-v2.effnet'], ['EfficientNet-B0', 'efficientnet-b0.effnet']])('%s @64: no BatchNormalization layers, same logits as unfolded', async (_label, file) => {
    const c = compileEdited(file, { scaling: { inputSize: 64 } });
    const plain = emitToDir(c, 'plain', { seed: 3, randomBatchNorm: true });
    const folded = emitToDir(c, 'folded', { seed: 3, randomBatchNorm: true, foldBatchNorm: true });
    dirs.push(plain.dir, folded.dir);
    await selectBackend('wasm');
    const shape = c.graph.nodes[0]!.shape;
    const x = tf.tensor(randomInput(shape, 8), [1, ...shape]);
    const run = async (dir: string) => {
      const m = await tf.loadLayersModel(fileIOHandler(dir));
      const classes = m.layers.map((l) => l.getClassName());
      const y = m.predict(x) as tf.Tensor;
      const out = { classes, logits: (await y.data()) as Float32Array };
      y.dispose();
      m.dispose();
      return out;
    };
    const a = await run(plain.dir);
    const b = await run(folded.dir);
    x.dispose();
    expect(a.classes).toContain('BatchNormalization');
    expect(b.classes).not.toContain('BatchNormalization');
    expect(b.classes.length).toBeLessThan(a.classes.length);
    expect(compare(b.logits, a.logits).rel).toBeLessThan(1e-4);
  });
});
