/**
 * timm's names. The rename table in timm-keys.json was transcribed from timm's source (its builder's block
 * and attribute names, huggingface/pytorch-image-models, see its _meta), independently of effnet's own
 * convention table: a torchvision checkpoint renamed with it (and MobileNetV3's classifier.0 reshaped into
 * timm's 1x1 conv_head) must be recognised as timm's and compute what torch computes. Covered: efficientnet_b0,
 * efficientnet_b1, mobilenetv2_100, mobilenetv3_large_100, mnasnet_100 (and tf_ variants, which share the
 * keys), resnet18, resnet50 (timm keeps torchvision's ResNet names).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareOutputs } from '../../backends/agreement.js';
import { bufferSource } from '../../src/checkpoint/byte-source.js';
import { readSafetensors } from '../../src/checkpoint/safetensors.js';
import { cli } from '../cli/run-cli.js';
import { repoRoot, specPath } from '../helpers.js';
import { safetensorsBytes, type NamedTensor } from './safetensors-writer.js';
import { floats, models, SIZE, torchAvailable, torchvisionFixtures } from './fixtures.js';

const table = JSON.parse(readFileSync(path.join(repoRoot, 'test/weights/timm-keys.json'), 'utf8')) as Record<string, { timm: string; pairs: [string, string, number[], number[]][] }>;
/** torchvision's numerics per model, which the renamed weights still need (timm's non-tf models match them). */
const eps: Record<string, string> = { mobilenet_v3_large: '1e-3' };

let dir = '';
const out = mkdtempSync(path.join(tmpdir(), 'effnet-timm-'));

beforeAll(async () => {
  if (torchAvailable) dir = await torchvisionFixtures();
}, 300_000);

describe.skipIf(!torchAvailable && !process.env.CI)('timm-named checkpoints', () => {
  it.each(models)('%s renamed to timm names', async (model, spec, variant) => {
    const pairs = table[model]!.pairs;
    const tv = readSafetensors(bufferSource(readFileSync(path.join(dir, `${model}.safetensors`))));
    const renamed: NamedTensor[] = pairs.map(([from, to, , timmShape]) => {
      const t = tv.tensors.get(from)!;
      const values = t.dtype === 'F32' ? t.toFloat32() : undefined;
      return { name: to, dtype: t.dtype === 'F32' ? 'F32' : 'I64', shape: timmShape, bytes: values ? new Uint8Array(values.buffer, values.byteOffset, values.byteLength) : new Uint8Array(8) };
    });
    expect(renamed.length).toBe(tv.tensors.size);
    const file = path.join(out, `${model}.timm.safetensors`);
    writeFileSync(file, safetensorsBytes(renamed));

    const mapped = await cli('weights', specPath(spec), file, ...(variant ? ['--variant', variant] : []), '--input-size', String(SIZE), '--padding', 'symmetric', '--bn-eps', eps[model] ?? '1e-5', '--json');
    expect(mapped.code, mapped.stderr).toBe(0);
    expect(JSON.parse(mapped.stdout).convention).toBe(model.startsWith('resnet') ? 'torchvision' : 'timm');

    const onnx = path.join(out, `${model}.timm.onnx`);
    const r = await cli('compile', specPath(spec), ...(variant ? ['--variant', variant] : []), '--input-size', String(SIZE), '--weights', file, '--padding', 'symmetric', '--bn-eps', eps[model] ?? '1e-5', '-o', onnx);
    expect(r.code, r.stderr).toBe(0);
    const s = await ort.InferenceSession.create(onnx);
    const got = (await s.run({ input: new ort.Tensor('float32', floats(path.join(dir, `${model}.input.bin`)), [2, 3, SIZE, SIZE]) })).logits!.data as Float32Array;
    await s.release();
    const a = compareOutputs(got, floats(path.join(dir, `${model}.logits.bin`)), 'cpu');
    console.log(`${model} as ${table[model]!.timm}: ${a.summary}`);
    expect(a.evidence && a.ok, a.summary).toBe(true);
  });
});
