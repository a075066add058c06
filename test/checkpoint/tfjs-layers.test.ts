/**
 * TF.js layers models: a model.json and shards built here by hand, with float32, int32 and quantized
 * (uint8 and uint16 with scale/min, float16) weights, decode exactly as tfjs-core's own io.decodeWeights does;
 * shard sizes are checked against the manifest; a model written by effnet's TF.js backend reads back.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { bufferSource, concatSources } from '../../src/checkpoint/byte-source.js';
import { readTfjsLayers, tfjsShardPaths } from '../../src/checkpoint/tfjs-layers.js';
import { concat, expectCheckpointError, f32Bytes, u16Bytes } from './fixtures.js';

const weights1 = [
  { name: 'conv/kernel', shape: [1, 1, 2, 3], dtype: 'float32' },
  { name: 'steps', shape: [2], dtype: 'int32' },
  { name: 'dense/kernel', shape: [2, 2], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.1, min: -1 } },
];
const weights2 = [
  { name: 'dense/bias', shape: [3], dtype: 'float32', quantization: { dtype: 'uint16', scale: 0.001, min: -2.5 } },
  { name: 'bn/gamma', shape: [3], dtype: 'float32', quantization: { dtype: 'float16' } },
];
const modelJson = (manifest: unknown = [
  { paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: weights1 },
  { paths: ['group2-shard1of1.bin'], weights: weights2 },
], extra: Record<string, unknown> = {}) => JSON.stringify({
  format: 'layers-model', generatedBy: 'TensorFlow.js tfjs-layers v4.22.0', convertedBy: null,
  modelTopology: { class_name: 'Sequential', config: { name: 'tiny', layers: [] } }, weightsManifest: manifest, ...extra,
});

const group1 = concat([f32Bytes([0.5, -1, 2, 3.25, 1e-7, -0]), new Uint8Array(new Int32Array([7, -3]).buffer), Uint8Array.of(0, 10, 255, 128)]);
const group2 = concat([u16Bytes([0, 2500, 65535]), u16Bytes([0x3c00, 0xb800, 0x7bff])]);
/** Group 1 split over two shards mid-weight, as tfjs splits at a fixed shard size. */
const shards = [group1.subarray(0, 10), group1.subarray(10), group2];

describe('readTfjsLayers', () => {
  it('lists the weights of every group in manifest order, with metadata', () => {
    expect(tfjsShardPaths(modelJson())).toEqual(['group1-shard1of2.bin', 'group1-shard2of2.bin', 'group2-shard1of1.bin']);
    const ckpt = readTfjsLayers(modelJson(), concatSources(shards.map(bufferSource)));
    expect(ckpt.format).toBe('tfjs-layers');
    expect(ckpt.metadata).toEqual({ format: 'layers-model', generatedBy: 'TensorFlow.js tfjs-layers v4.22.0' });
    expect([...ckpt.tensors.values()].map((t) => [t.name, t.dtype, t.shape, t.quantization?.dtype])).toEqual([
      ['conv/kernel', 'F32', [1, 1, 2, 3], undefined],
      ['steps', 'I32', [2], undefined],
      ['dense/kernel', 'F32', [2, 2], 'uint8'],
      ['dense/bias', 'F32', [3], 'uint16'],
      ['bn/gamma', 'F32', [3], 'float16'],
    ]);
  });

  it('decodes plain and quantized weights exactly as tfjs-core io.decodeWeights does', async () => {
    const ckpt = readTfjsLayers(modelJson(), concatSources(shards.map(bufferSource)));
    const all = concat(shards);
    const specs = [...weights1, ...weights2] as tf.io.WeightsManifestEntry[];
    const reference = tf.io.decodeWeights(all.slice().buffer as ArrayBuffer, specs);
    for (const spec of specs) {
      const t = ckpt.tensors.get(spec.name)!;
      const want = reference[spec.name]!.dataSync();
      if (spec.dtype === 'int32') {
        expect([...want]).toEqual([7, -3]);
        await expectCheckpointError(() => t.toFloat32(), /'steps' holds I32 values, not floats/);
      } else {
        expect([...t.toFloat32()], spec.name).toEqual([...want]);
      }
    }
    expect([...ckpt.tensors.get('dense/kernel')!.toFloat32()]).toEqual([-1, 0, 24.5, 11.8].map(Math.fround));
    expect([...ckpt.tensors.get('bn/gamma')!.toFloat32()]).toEqual([1, -0.5, 65504]);
  });

  it('reads only the bytes of the weight asked for', () => {
    const reads: number[] = [];
    const parts = shards.map((s) => {
      const b = bufferSource(s);
      return { size: b.size, read: (o: number, n: number) => (reads.push(n), b.read(o, n)) };
    });
    const ckpt = readTfjsLayers(modelJson(), concatSources(parts));
    expect(reads).toEqual([]);
    ckpt.tensors.get('dense/bias')!.toFloat32();
    expect(reads).toEqual([6]);
  });

  it.each([
    ['a truncated shard', () => concatSources([bufferSource(shards[0]!), bufferSource(shards[1]!.subarray(1)), bufferSource(shards[2]!)]), /weight group 1's shards \(group1-shard1of2\.bin, group1-shard2of2\.bin\) hold 35 bytes, but its 3 weights need 36 bytes \(a shard is truncated or missing\)/],
    ['a shard longer than the manifest says', () => concatSources([bufferSource(shards[0]!), bufferSource(shards[1]!), bufferSource(concat([shards[2]!, new Uint8Array(2)]))]), /weight group 2's shards \(group2-shard1of1\.bin\) hold 14 bytes, but its 2 weights need 12 bytes \(a shard is longer/],
    ['one source of the wrong total size', () => bufferSource(concat(shards).subarray(4)), /the weight shards hold 44 bytes, but the manifest's weights need 48 bytes/],
  ])('refuses %s', async (_, weights, message) => {
    await expectCheckpointError(() => readTfjsLayers(modelJson(), weights()), message);
  });

  const w = (props: Record<string, unknown>) => [{ paths: ['a.bin'], weights: [{ name: 'w', shape: [1], dtype: 'float32', ...props }] }];
  it.each([
    ['JSON that does not parse', '{"format":', /model\.json: does not parse as JSON/],
    ['a graph model', modelJson([], { format: 'graph-model' }), /format is 'graph-model' .* effnet reads Keras-style layers models/],
    ['no modelTopology', JSON.stringify({ format: 'layers-model', weightsManifest: [] }), /has no modelTopology/],
    ['no weightsManifest', JSON.stringify({ modelTopology: {} }), /has no weightsManifest list/],
    ['a string weight', modelJson(w({ dtype: 'string' })), /weight 'w': dtype "string" is not supported \(effnet reads float32, int32, bool\)/],
    ['a negative dimension', modelJson(w({ shape: [-1] })), /weight 'w': shape \[-1\] is not a list of non-negative integers/],
    ['an unknown quantization', modelJson(w({ quantization: { dtype: 'int4' } })), /quantization dtype "int4" is not uint8, uint16 or float16/],
    ['uint8 quantization without scale', modelJson(w({ quantization: { dtype: 'uint8', min: 0 } })), /uint8 quantization needs numeric scale and min/],
    ['float16 quantization of an int32 weight', modelJson(w({ dtype: 'int32', quantization: { dtype: 'float16' } })), /float16 quantization applies only to float32 weights, not int32/],
    ['a path out of the directory', modelJson([{ paths: ['../secret.bin'], weights: [] }]), /weightsManifest\[0\]\.paths holds '\.\.\/secret\.bin', which is not a file name inside the model's directory/],
    ['an absolute path', modelJson([{ paths: ['/etc/passwd'], weights: [] }]), /holds '\/etc\/passwd'/],
    ['a URL', modelJson([{ paths: ['https://example.com/w.bin'], weights: [] }]), /holds 'https:\/\/example\.com\/w\.bin'/],
    ['a repeated weight name', modelJson([{ paths: ['a.bin'], weights: [weights1[0], weights1[0]] }]), /weight 'conv\/kernel' is listed twice/],
  ])('refuses %s', async (_, json, message) => {
    await expectCheckpointError(() => {
      tfjsShardPaths(json);
      return readTfjsLayers(json, bufferSource(new Uint8Array(48)));
    }, message);
  });
});
