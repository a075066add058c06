/**
 * `effnet compile --target tfjs --quantize ...` writes what tfjs-converter writes: each weight stays
 * `dtype: 'float32'` in the weights manifest with a `quantization` entry ({dtype, min, scale, original_dtype}
 * for uint8 and uint16, {dtype: 'float16', original_dtype} for float16), its bytes in the shards at 1 or 2 a
 * value. tf.loadLayersModel dequantizes them to exactly the values effnet's own reader gives (the checkpoint
 * reader reads what the backend writes), `--weights` brings a quantized model back as the float32 network it
 * loads as, the effnet manifest lists the shards, and the CLI refuses rules that cannot apply.
 */
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareOutputs } from '../../../backends/agreement.js';
import { fileIOHandler } from '../../../backends/tfjs/runtime/file-io-handler.js';
import { emitTfjs } from '../../../backends/tfjs/tfjs-backend.js';
import { fileSource, concatSources } from '../../../src/checkpoint/byte-source.js';
import { readTfjsLayers } from '../../../src/checkpoint/tfjs-layers.js';
import { compile } from '../../../src/pipeline.js';
import { cli } from '../../cli/run-cli.js';
import { safetensorsBytes } from '../../weights/safetensors-writer.js';
import { randomInput, SMALL_SPEC, tempDir, writeArtifact } from './tfjs-helpers.js';


const work = tempDir('quantized');
const spec = path.join(work, 'small.effnet');
const graph = compile('small.effnet', SMALL_SPEC).graph!;
/** The model with random BN statistics, so that no weight is constant and the logits are of order 1. */
const emitted = (quantize?: Parameters<typeof emitTfjs>[1]['quantize']) => writeArtifact(emitTfjs(graph, { seed: 5, weights: 'random', randomBatchNorm: true, ...(quantize ? { quantize } : {}) }), tempDir('q'));
const modes = ['float16', 'uint16', 'uint8'] as const;

interface Entry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; min?: number; scale?: number; original_dtype?: string };
}
const manifest = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')).weightsManifest as { paths: string[]; weights: Entry[] }[];
const shardBytes = (dir: string) => manifest(dir)[0]!.paths.reduce((a, p) => a + statSync(path.join(dir, p)).size, 0);
const elements = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** The dequantized values tf.loadLayersModel gives each weight, by manifest name. */
async function loadedWeights(dir: string): Promise<Map<string, Float32Array>> {
  const model = await tf.loadLayersModel(fileIOHandler(dir));
  const out = new Map(model.weights.map((w) => [w.originalName, w.read().dataSync() as Float32Array]));
  model.dispose();
  return out;
}

function readerWeights(dir: string): Map<string, Float32Array> {
  const shards = manifest(dir)[0]!.paths.map((p) => fileSource(path.join(dir, p)));
  const ckpt = readTfjsLayers(readFileSync(path.join(dir, 'model.json'), 'utf8'), concatSources(shards));
  const out = new Map([...ckpt.tensors.values()].map((t) => [t.name, t.toFloat32()]));
  for (const s of shards) s.close();
  return out;
}

async function tfjsLogits(dir: string, x: Float32Array): Promise<Float32Array> {
  const model = await tf.loadLayersModel(fileIOHandler(dir));
  const t = tf.tensor(x, [2, 16, 16, 3]);
  const y = (model.predict(t) as tf.Tensor).dataSync() as Float32Array;
  model.dispose();
  t.dispose();
  return y;
}

let float32: string;
beforeAll(async () => {
  writeFileSync(spec, SMALL_SPEC);
  await tf.setBackend('cpu');
  float32 = emitted();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the weights manifest and shards of a quantized model', () => {
  it.each(modes)('%s: every weight float32 with a quantization entry, as tfjs-converter writes it; the shards shrink to match', (mode) => {
    const dir = emitted([{ mode }]);
    const entries = manifest(dir)[0]!.weights;
    const plain = manifest(float32)[0]!.weights;
    expect(entries.map((e) => [e.name, e.shape, e.dtype])).toEqual(plain.map((e) => [e.name, e.shape, e.dtype]));
    for (const e of entries) {
      if (mode === 'float16') expect(e.quantization).toEqual({ dtype: 'float16', original_dtype: 'float32' });
      else {
        expect(Object.keys(e.quantization!)).toEqual(['dtype', 'min', 'scale', 'original_dtype']);
        expect(e.quantization).toMatchObject({ dtype: mode, original_dtype: 'float32' });
        expect(e.quantization!.scale).toBeGreaterThan(0);
      }
    }
    const per = mode === 'uint8' ? 1 : 2;
    expect(shardBytes(dir)).toBe(entries.reduce((a, e) => a + elements(e.shape) * per, 0));
    expect(shardBytes(dir) * (4 / per)).toBe(shardBytes(float32));
  });

  it.each(modes)('%s: tf.loadLayersModel dequantizes to exactly what effnet reads back, within the storage\'s rounding of float32', async (mode) => {
    const dir = emitted([{ mode }]);
    const [loaded, read, original] = [await loadedWeights(dir), readerWeights(dir), readerWeights(float32)];
    expect([...loaded.keys()].sort()).toEqual([...read.keys()].sort());
    for (const [name, values] of read) {
      expect(Buffer.from(loaded.get(name)!.buffer).equals(Buffer.from(values.buffer)), name).toBe(true);
      const want = original.get(name)!;
      const range = Math.max(...want) - Math.min(...want);
      // Half a level of the tensor's range (a whole one at the ends the zero-point nudge moved), or float16's 2^-11.
      const bound = (i: number) => (mode === 'float16' ? Math.abs(want[i]!) * 2 ** -11 + 2 ** -25 : range / (mode === 'uint8' ? 255 : 65535));
      for (let i = 0; i < want.length; i++) if (Math.abs(values[i]! - want[i]!) > bound(i)) expect.fail(`${name}[${i}]: ${values[i]} for ${want[i]}`);
    }
  });

  it('mixes modes by pattern: kernels uint8, the rest float16', () => {
    const dir = emitted([{ mode: 'uint8', patterns: ['*kernel'] }, { mode: 'float16' }]);
    const byMode = (m: string) => manifest(dir)[0]!.weights.filter((e) => e.quantization?.dtype === m).map((e) => e.name);
    expect(byMode('uint8').length).toBeGreaterThan(5);
    expect(byMode('uint8').every((n) => n.endsWith('kernel'))).toBe(true);
    expect(byMode('float16').some((n) => n.endsWith('kernel'))).toBe(false);
    expect(byMode('uint8').length + byMode('float16').length).toBe(manifest(dir)[0]!.weights.length);
  });

  it('a constant weight (identity BN of the default init) is stored as zeros, scale 1 and min its value, and loads exactly', async () => {
    const dir = writeArtifact(emitTfjs(graph, { seed: 5, weights: 'random', quantize: [{ mode: 'uint8' }] }), tempDir('const'));
    const gamma = manifest(dir)[0]!.weights.find((e) => e.name === 'stem_bn/gamma')!;
    expect(gamma.quantization).toEqual({ dtype: 'uint8', min: 1, scale: 1, original_dtype: 'float32' });
    expect([...(await loadedWeights(dir)).get('stem_bn/gamma')!]).toEqual(new Array(8).fill(1));
  });
});

describe('effnet compile --quantize', () => {
  it('writes the model, lists model.json and every shard in the effnet manifest, and says what it stored', async () => {
    const out = path.join(work, 'cli-uint8');
    const r = await cli('compile', spec, '--target', 'tfjs', '--quantize', 'uint8', '--shard-mb', '0.002', '-o', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/wrote .*cli-uint8\/ \(\d+ files, .* params; weights uint8 \(all 64 weights\)\)/);
    const files = JSON.parse(readFileSync(path.join(out, 'effnet-manifest.json'), 'utf8')).files as string[];
    const shards = manifest(out)[0]!.paths;
    expect(shards.length).toBeGreaterThan(1);
    expect(files).toEqual(['model.json', ...shards].sort());
    expect(readdirSync(out).sort()).toEqual(['effnet-manifest.json', ...files].sort());
    // Written again over itself: the overwrite rule still recognises the directory as effnet's.
    expect((await cli('compile', spec, '--target', 'tfjs', '--quantize', 'float16', '-o', out)).code).toBe(0);
  });

  it('--weights reads a quantized model back: the ONNX file computes what the quantized TF.js model computes', async () => {
    const dir = emitted([{ mode: 'uint8' }]);
    const onnx = path.join(work, 'back.onnx');
    const r = await cli('compile', spec, '--weights', dir, '-o', onnx);
    expect(r.code, r.stderr).toBe(0);
    const x = randomInput([2, 16, 16, 3], 4);
    const want = await tfjsLogits(dir, x);
    const nchw = new Float32Array(x.length);
    for (let b = 0; b < 2; b++) for (let y = 0; y < 16; y++) for (let i = 0; i < 16; i++) for (let c = 0; c < 3; c++) nchw[((b * 3 + c) * 16 + y) * 16 + i] = x[((b * 16 + y) * 16 + i) * 3 + c]!;
    const s = await ort.InferenceSession.create(onnx);
    const got = (await s.run({ input: new ort.Tensor('float32', nchw, [2, 3, 16, 16]) })).logits!.data as Float32Array;
    await s.release();
    const a = compareOutputs(got, want);
    expect(a.scale).toBeGreaterThan(0.1);
    expect(a.ok, a.summary).toBe(true);
    // And that network is not the float32 one: the quantization is in the weights that came back.
    expect(compareOutputs(await tfjsLogits(float32, x), want).ok).toBe(false);
  });

  it.each<[string, string[], RegExp]>([
    ['an unknown mode', ['--target', 'tfjs', '--quantize', 'int8'], /--quantize expects float16, uint16, uint8, optionally with :PATTERN/],
    ['an empty pattern', ['--target', 'tfjs', '--quantize', 'uint8:'], /has an empty pattern/],
    ['a pattern that names no weight', ['--target', 'tfjs', '--quantize', 'uint8:*/kernal'], /--quantize uint8:\*\/kernal names no weight of this model/],
    ['two modes for every weight', ['--target', 'tfjs', '--quantize', 'uint8', '--quantize', 'float16'], /both apply to every weight/],
    ['uint8 for ONNX', ['--target', 'onnx', '--quantize', 'uint8'], /--target onnx stores weights as float16 only, every weight/],
    ['a pattern for ONNX', ['--target', 'onnx', '--quantize', 'float16:*kernel'], /--target onnx stores weights as float16 only/],
    ['PyTorch', ['--target', 'pytorch', '--quantize', 'float16'], /--quantize applies to --target tfjs, onnx \(float16\) or all, not pytorch/],
  ])('refuses %s (exit 2, nothing written)', async (_what, flags, message) => {
    const out = path.join(work, 'refused');
    const r = await cli('compile', spec, ...flags, '-o', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(() => statSync(out)).toThrow();
  });

  it('E0602: a weight float16 cannot hold stops the write at its layer, and nothing is written', async () => {
    // A checkpoint whose stem BN variance is 1e6: fine in float32 and uint8, infinity in float16.
    const ckpt = path.join(work, 'big.safetensors');
    const { graphTensors } = await import('../../../src/weights/graph-tensors.js');
    const { modulePaths, stateDictKey } = await import('../../../src/weights/naming/effnet-names.js');
    const pathOf = modulePaths(graph);
    const tensors = graphTensors(graph).map((t) => {
      const values = new Float32Array(elements([...t.shape])).fill(t.role === 'variance' && t.node.name === 'stem_bn' ? 1e6 : 0.01);
      return { name: stateDictKey(pathOf(t.node), t.role), dtype: 'F32' as const, shape: t.shape, bytes: new Uint8Array(values.buffer) };
    });
    writeFileSync(ckpt, safetensorsBytes(tensors));
    const out = path.join(work, 'overflow');
    const r = await cli('compile', spec, '--weights', ckpt, '--target', 'tfjs', '--quantize', 'float16', '-o', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/small\.effnet:5:8: error\[E0602\]: --quantize float16: stem_bn\/moving_variance \(of stem_bn\) holds 1000000 at index 0, beyond float16's largest value 65504/);
    expect(r.stderr).toMatch(/nothing written/);
    expect(() => statSync(out)).toThrow();
    expect((await cli('compile', spec, '--weights', ckpt, '--target', 'tfjs', '--quantize', 'uint8', '-o', out)).code).toBe(0);
  });
});

describe('running and verifying a quantized model', () => {
  it('effnet run says how the weights are stored', async () => {
    const dir = emitted([{ mode: 'uint8', patterns: ['*kernel'] }]);
    const r = await cli('run', dir, '--runs', '1', '--backend', 'cpu');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^weights: +uint8 \(17 of 64 weights\), float32 \(the rest\), dequantized to float32 at load$/m);
    const j = JSON.parse((await cli('run', float32, '--runs', '1', '--backend', 'cpu', '--json')).stdout);
    expect(j.weights).toBe('float32');
  });

  it.each([
    ['tfjs', 'uint8', '0.3 for uint8 weights'],
    ['tfjs', 'float16', '0.05 for float16 weights'],
    ['onnx', 'float16', '0.05 for float16 weights'],
  ])('--verify --target %s --quantize %s compares with the float32 model, in memory, at the tolerance %s', async (target, mode, tolerance) => {
    const out = path.join(work, `verify-${target}-${mode}${target === 'onnx' ? '.onnx' : ''}`);
    // Weights with random BN statistics (the float32 TF.js model's), for logits large enough to compare.
    const r = await cli('compile', spec, '--weights', float32, '--target', target, '--quantize', mode, '--verify', '-o', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`verify: outputs of ${target} \\(float32, in memory\\) and ${target} differ by .* \\(tolerance ${tolerance.replace('.', '\\.')}\\)`));
    const v = JSON.parse(r.stdout).verify;
    expect(v.comparisons).toHaveLength(1);
    expect(v.tolerance).toBe(Number(tolerance.split(' ')[0]));
    // Only the written model is listed as an output.
    expect(v.outputs.map((o: { target: string }) => o.target)).toEqual([target]);
  });
});
