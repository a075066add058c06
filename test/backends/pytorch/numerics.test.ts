/**
 * The emitted module is the network effnet compiled: for every spec in specs/ (as written and one scaled
 * variant, at 64x64) and the coverage specs, model.py imports in torch, loads its safetensors with
 * strict=True, has the cost report's parameter and BN-statistics counts, gives [N, classes], and in eval mode
 * agrees with onnxruntime-node on the ONNX file of the same seed by the agreement rule. BN statistics are
 * random (randomBatchNorm), so the ONNX file's folded BN and PyTorch's BatchNorm2d both do real work. The
 * state_dict keys are effnet's naming contract, in graph order, and for the golden specs the golden table.
 *
 * One fixture build per model and one Python process for all of them: importing torch costs seconds.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareOutputs, type Agreement } from '../../../backends/agreement.js';
import { onnxBackend } from '../../../backends/onnx/onnx-backend.js';
import { sampleInput } from '../../../backends/sample-input.js';
import type { Graph } from '../../../src/ir/graph.js';
import { graphTensors } from '../../../src/weights/graph-tensors.js';
import { modulePaths, stateDictKey } from '../../../src/weights/naming/effnet-names.js';
import { repoRoot } from '../../helpers.js';
import { artifactBytes, inputDims } from '../onnx/onnx-helpers.js';
import { torchCases } from './cases.js';
import { hasTorch, lastJson, noTorchReason, readF32, runPython, tempDir, writeF32, writePytorch } from './pytorch-helpers.js';

const options = { seed: 0, weights: 'random', randomBatchNorm: true } as const;
const BATCH = 2;

/** The contract's keys in graph order, num_batches_tracked after each batch norm's running_var (PyTorch's order). */
function contractKeys(graph: Graph): string[] {
  const pathOf = modulePaths(graph);
  return graphTensors(graph).flatMap((t) => {
    const key = stateDictKey(pathOf(t.node), t.role);
    return t.role === 'variance' ? [key, `${pathOf(t.node)}.num_batches_tracked`] : [key];
  });
}

interface TorchResult {
  readonly error?: string;
  readonly keys: string[];
  readonly params: number;
  readonly bnStats: number;
  readonly shape: number[];
}

interface Fixture {
  readonly title: string;
  readonly graph: Graph;
  readonly params: number;
  readonly bnStats: number;
  readonly dir: string;
  readonly ort: { dims: number[]; data: Float32Array };
  torch?: TorchResult;
  logits?: Float32Array;
}

const SCRIPT = `
cases = json.loads(open(sys.argv[1]).read())
torch.manual_seed(0)
out = []
for i, case in enumerate(cases):
    try:
        model = build(case['dir'], f'case{i}')
        model.eval()
        x = read_f32(case['input'], case['dims'])
        with torch.no_grad():
            y = model(x)
        write_f32(case['output'], y)
        params = sum(p.numel() for p in model.parameters())
        bn = sum(b.numel() for n, b in model.named_buffers() if n.endswith('.running_mean') or n.endswith('.running_var'))
        out.append({'keys': list(model.state_dict().keys()), 'params': params, 'bnStats': bn, 'shape': list(y.shape)})
    except Exception as e:
        out.append({'error': f'{type(e).__name__}: {e}', 'keys': [], 'params': 0, 'bnStats': 0, 'shape': []})
print(json.dumps(out))
`;

const work = tempDir('numerics');
afterAll(() => rmSync(work, { recursive: true, force: true }));
const fixtures: Fixture[] = [];

describe.skipIf(!hasTorch)('PyTorch (torch, eval mode) and ONNX (onnxruntime-node) compute the same network', () => {
  beforeAll(async () => {
    const jobs: { dir: string; input: string; dims: number[]; output: string }[] = [];
    for (const [i, tc] of torchCases.entries()) {
      const c = tc.compile();
      const dir = await writePytorch(c.graph, path.join(work, `m${i}`), options);
      const dims = inputDims(c.graph, BATCH);
      const input = sampleInput(dims.reduce((a, b) => a * b, 1), 11);
      writeF32(path.join(work, `m${i}.input`), input);
      const session = await ort.InferenceSession.create(artifactBytes(onnxBackend.emit(c.graph, options)));
      const result = await session.run({ input: new ort.Tensor('float32', input, dims) });
      const y = result[session.outputNames[0]!]!;
      await session.release();
      fixtures.push({ title: tc.title, graph: c.graph, params: c.report.total.params, bnStats: c.report.total.bnStats, dir, ort: { dims: y.dims.map(Number), data: y.data as Float32Array } });
      jobs.push({ dir, input: path.join(work, `m${i}.input`), dims, output: path.join(work, `m${i}.output`) });
    }
    const list = path.join(work, 'cases.json');
    writeFileSync(list, JSON.stringify(jobs));
    const run = await runPython(work, 'numerics.py', SCRIPT, [list]);
    console.log(`torch: ${fixtures.length} models built, loaded and run in one process in ${run.seconds.toFixed(1)} s`);
    const results = lastJson<TorchResult[]>(run);
    results.forEach((r, i) => {
      fixtures[i]!.torch = r;
      if (!r.error) fixtures[i]!.logits = readF32(jobs[i]!.output);
    });
  }, 600_000);

  const byTitle = (title: string) => fixtures.find((f) => f.title === title)!;

  it.each(torchCases.map((c) => c.title))('%s: imports, loads strictly, counts, shape, logits', (title) => {
    const f = byTitle(title);
    expect(f.torch?.error, f.torch?.error).toBeUndefined();
    expect(f.torch!.params).toBe(f.params);
    expect(f.torch!.bnStats).toBe(f.bnStats);
    expect(f.torch!.shape).toEqual(f.ort.dims);
    const out = f.graph.nodes[f.graph.output]!.shape;
    expect(f.torch!.shape).toEqual(out.length === 1 ? [BATCH, out[0]] : [BATCH, out[2], out[0], out[1]]);
    expect(f.torch!.keys).toEqual(contractKeys(f.graph));
    const a: Agreement = compareOutputs(f.logits!, f.ort.data, 'cpu');
    console.log(`${title}: max |torch - ort| = ${a.maxAbsDifference.toExponential(2)}, relative ${a.relative.toExponential(2)}, max |logit| ${a.scale.toPrecision(3)}; params ${f.torch!.params.toLocaleString('en-US')}, BN statistics ${f.torch!.bnStats.toLocaleString('en-US')}`);
    // Evidence, and not marginal evidence: the largest logit is at least 0.02 in every case (MobileNetV3's
    // hard-swish head keeps its logits smallest), twenty times the agreement rule's floor, while runtimes
    // differ by about 1e-6 of it.
    expect(a.scale).toBeGreaterThan(0.02);
    expect(a.evidence).toBe(true);
    expect(a.ok, a.summary).toBe(true);
  });

  // The golden tables of test/golden/names/: the state_dict key column, plus PyTorch's num_batches_tracked.
  it.each([
    ['EfficientNet-B0', 'efficientnet-b0.txt'],
    ['ResNet-18', 'resnet-resnet18.txt'],
    ['mobilenet-v3-large.effnet', 'mobilenet-v3-large.txt'],
    ['mnasnet.effnet', 'mnasnet.txt'],
  ])('%s: model.state_dict() keys are the golden names (%s)', (title, golden) => {
    const rows = readFileSync(path.join(repoRoot, 'test/golden/names', golden), 'utf8').trim().split('\n').slice(1);
    const keys = rows.map((r) => r.split(/\s+/)[0]!).flatMap((k) => (k.endsWith('.running_var') ? [k, k.replace(/running_var$/, 'num_batches_tracked')] : [k]));
    expect(byTitle(title).torch!.keys).toEqual(keys);
  });
});

describe.skipIf(hasTorch)('PyTorch numerics', () => {
  it('skip: no Python with torch', () => console.log(`numerics.test.ts skipped: ${noTorchReason}`));
});
