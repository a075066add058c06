/**
 * Strided windows on every runtime: TF.js wasm, TF.js cpu and onnxruntime-node give the same output for each
 * kernel/stride/size case, by the agreement rule, in both TF.js formats (LayersModel and graph model). The
 * cases where 1 < kernel < stride and the size divides by the stride pad nothing under TF "same" padding:
 * tfjs-backend-wasm 4.22 outputs zeros for a 'same' conv there, so the backend writes 'valid' (differential
 * fuzzing found 85 such models in 10,598); the graph model never writes 'SAME' at a fixed size.
 */
import * as tf from '@tensorflow/tfjs';
import { rmSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareOutputs, nchwToNhwc } from '../../../backends/agreement.js';
import { onnxBackend } from '../../../backends/onnx/onnx-backend.js';
import { selectBackend } from '../../../backends/tfjs/runtime/select-backend.js';
import { writeArtifact } from '../../../src/cli/output/write-artifact.js';
import { compile } from '../../../src/pipeline.js';
import { emitToDir, randomInput, tempDir, tfjsOutput } from './tfjs-helpers.js';

const work = tempDir('padding');
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(async () => {
  await selectBackend('wasm');
});

/** [layer, kernel, stride, size]: the stem layer under test, then a 1x1 conv so the output is a feature map. */
const cases: [string, number, number, number][] = [
  ['conv', 2, 3, 9],
  ['conv', 2, 3, 10],
  ['conv', 2, 4, 8],
  ['conv', 3, 4, 12],
  ['conv', 3, 2, 8],
  ['conv', 3, 2, 9],
  ['conv', 1, 2, 8],
  ['conv', 5, 2, 7],
  ['dwconv', 2, 3, 9],
  ['dwconv', 3, 4, 8],
  ['dwconv', 3, 2, 8],
  ['maxpool', 2, 3, 9],
  ['maxpool', 3, 2, 8],
  ['avgpool', 2, 3, 9],
  ['avgpool', 3, 2, 9],
];

function spec(layer: string, k: number, s: number, size: number): string {
  const first = layer === 'conv' ? `conv channels 4 kernel ${k} stride ${s}` : layer === 'dwconv' ? `dwconv kernel ${k} stride ${s}` : `${layer} kernel ${k} stride ${s}`;
  return `model pad {\n  input ${size}x${size}x3\n  padding same\n  stem ${first}\n  stages {\n    conv 1 5 1 1\n  }\n}\n`;
}

async function onBackend(dir: string, backend: string, input: Float32Array, size: number): Promise<Float32Array> {
  await tf.setBackend(backend);
  return tfjsOutput(dir, input, [size, size, 3]);
}

describe('strided windows agree on TF.js wasm, TF.js cpu and onnxruntime-node', () => {
  it.each(cases.flatMap((c) => (['layers', 'graph'] as const).map((f) => [...c, f] as const)))('%s kernel %i stride %i on a %i-pixel square, %s format', async (layer, k, s, size, format) => {
    const c = compile('pad.effnet', spec(layer, k, s, size));
    expect(c.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const graph = c.graph!;
    const input = randomInput([size, size, 3], k * 100 + s * 10 + size);
    const { dir } = emitToDir({ graph }, `pad-${layer}-${k}-${s}-${size}`, { tfjsFormat: format });
    const onWasm = await onBackend(dir, 'wasm', input, size);
    const onCpu = await onBackend(dir, 'cpu', input, size);
    rmSync(dir, { recursive: true, force: true });

    const file = path.join(work, `${layer}-${k}-${s}-${size}.onnx`);
    await writeArtifact(onnxBackend.emit(graph, { seed: 7, weights: 'random' }), file);
    const session = await ort.InferenceSession.create(file);
    const nchw = new Float32Array(input.length);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) for (let ch = 0; ch < 3; ch++) nchw[(ch * size + y) * size + x] = input[(y * size + x) * 3 + ch]!;
    const out = (await session.run({ input: new ort.Tensor('float32', nchw, [1, 3, size, size]) })).logits!;
    await session.release();
    const reference = nchwToNhwc(out.data as Float32Array, out.dims as number[]);

    for (const [name, got] of [['wasm', onWasm], ['cpu', onCpu]] as const) {
      const a = compareOutputs(got, reference, 'cpu');
      expect(a.evidence, `${name}: ${a.summary}`).toBe(true);
      expect(a.ok, `${name}: ${a.summary}`).toBe(true);
    }
  });
});
