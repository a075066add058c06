/**
 * The module is ordinary PyTorch to PyTorch's own tools: torch.onnx.export (opset 13) of the emitted module
 * loads and runs in onnxruntime-node and gives the module's logits, and effnet's own ONNX file's. The specs
 * cover what export must get right: explicit F.pad before convs, -inf padding of a max pool, the
 * count-excluding average pool with asymmetric pads, hard-swish and hard-sigmoid below opset 14, SE.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareOutputs } from '../../../backends/agreement.js';
import { onnxBackend } from '../../../backends/onnx/onnx-backend.js';
import { sampleInput } from '../../../backends/sample-input.js';
import { compileSpec } from '../../helpers.js';
import { artifactBytes, inputDims } from '../onnx/onnx-helpers.js';
import { torchCases } from './cases.js';
import { hasTorch, lastJson, noTorchReason, readF32, runPython, tempDir, writeF32, writePytorch } from './pytorch-helpers.js';

const SCRIPT = `
import warnings
jobs = json.loads(open(sys.argv[1]).read())
for i, job in enumerate(jobs):
    model = build(job['dir'], f'export{i}')
    model.eval()
    x = read_f32(job['input'], job['dims'])
    with torch.no_grad():
        write_f32(job['torch'], model(x))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # TracerWarnings about shape arithmetic; the numbers are checked below
        torch.onnx.export(model, x, job['onnx'], opset_version=13, input_names=['input'], output_names=['logits'],
                          dynamic_axes={'input': {0: 'N'}, 'logits': {0: 'N'}})
print(json.dumps({'torch': torch.__version__}))
`;

const cases = [
  { title: 'tiny-v3 (asymmetric avg pool, hard-swish, hard-sigmoid SE)', compile: torchCases.find((c) => c.title.startsWith('tiny-v3'))!.compile },
  { title: 'kitchen sink, same padding (F.pad convs, -inf max-pool padding, every block)', compile: torchCases.find((c) => c.title === 'kitchen sink, same padding')!.compile },
  { title: 'MobileNetV3-Large @64', compile: () => compileSpec('mobilenet-v3-large.effnet', { scaling: { inputSize: 64 } }) },
];

const work = tempDir('export');
afterAll(() => rmSync(work, { recursive: true, force: true }));
const options = { seed: 0, weights: 'random', randomBatchNorm: true } as const;

async function runOrt(model: string | Uint8Array, input: Float32Array, dims: number[]): Promise<Float32Array> {
  const session = typeof model === 'string' ? await ort.InferenceSession.create(model) : await ort.InferenceSession.create(model);
  const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input, dims) });
  const data = out[session.outputNames[0]!]!.data as Float32Array;
  await session.release();
  return data;
}

describe.skipIf(!hasTorch)('torch.onnx.export of the emitted module', () => {
  const results: { title: string; torch: Float32Array; exported: Float32Array; effnet: Float32Array }[] = [];
  beforeAll(async () => {
    const jobs: { dir: string; input: string; dims: number[]; torch: string; onnx: string }[] = [];
    const inputs: { input: Float32Array; dims: number[]; effnet: Float32Array }[] = [];
    for (const [i, tc] of cases.entries()) {
      const c = tc.compile();
      const dir = await writePytorch(c.graph, path.join(work, `m${i}`), options);
      // Batch 3, so a batch axis wrongly traced as a constant 1 would show.
      const dims = inputDims(c.graph, 3);
      const input = sampleInput(dims.reduce((a, b) => a * b, 1), 21 + i);
      writeF32(path.join(work, `m${i}.input`), input);
      inputs.push({ input, dims, effnet: await runOrt(artifactBytes(onnxBackend.emit(c.graph, options)), input, dims) });
      jobs.push({ dir, input: path.join(work, `m${i}.input`), dims, torch: path.join(work, `m${i}.torch`), onnx: path.join(work, `m${i}.onnx`) });
    }
    writeFileSync(path.join(work, 'jobs.json'), JSON.stringify(jobs));
    const run = await runPython(work, 'export.py', SCRIPT, [path.join(work, 'jobs.json')]);
    console.log(`torch ${lastJson<{ torch: string }>(run).torch}: ${jobs.length} modules exported at opset 13 in ${run.seconds.toFixed(1)} s`);
    for (const [i, job] of jobs.entries()) {
      results.push({ title: cases[i]!.title, torch: readF32(job.torch), exported: await runOrt(job.onnx, inputs[i]!.input, inputs[i]!.dims), effnet: inputs[i]!.effnet });
    }
  }, 300_000);

  it.each(cases.map((c) => c.title))('%s: the exported file runs in onnxruntime-node and gives the same logits', (title) => {
    const r = results.find((x) => x.title === title)!;
    const exported = compareOutputs(r.exported, r.torch, 'cpu');
    const effnet = compareOutputs(r.exported, r.effnet, 'cpu');
    console.log(`${title}: exported vs torch ${exported.summary}; exported vs effnet's ONNX ${effnet.summary}`);
    expect(exported.ok, exported.summary).toBe(true);
    expect(effnet.ok, effnet.summary).toBe(true);
  });
});

describe.skipIf(hasTorch)('torch.onnx.export', () => {
  it('skip: no Python with torch', () => console.log(`onnx-export.test.ts skipped: ${noTorchReason}`));
});
