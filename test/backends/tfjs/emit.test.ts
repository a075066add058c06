/**
 * The emitted model.json and shards, without running TF.js: the topology uses only the Keras layers the issue
 * names, padding is 'same' exactly where TF would pad as the graph does (else ZeroPadding2D + 'valid'), shards
 * stay under 4 MB, the manifest's parameter totals equal the cost report's, the weights are the shared
 * weights transposed to TF layouts, and the same seed gives the same bytes.
 */
import { describe, expect, it } from 'vitest';
import { emitTfjs } from '../../../backends/tfjs/tfjs-backend.js';
import { samePads } from '../../../backends/tfjs/to-wire.js';
import type { LayersModelJson } from '../../../backends/tfjs/keras-format.js';
import { weightSource } from '../../../backends/seeded-weights.js';
import type { Artifact } from '../../../backends/backend.js';
import { compileSpec } from '../../helpers.js';
import { compileEdited } from './tfjs-helpers.js';

const allowed = new Set(['InputLayer', 'Conv2D', 'DepthwiseConv2D', 'BatchNormalization', 'Activation', 'ReLU', 'ZeroPadding2D',
  'GlobalAveragePooling2D', 'Reshape', 'Multiply', 'Add', 'Dropout', 'Dense', 'MaxPooling2D', 'AveragePooling2D',
  // User-defined blocks: layer norm, concatenation, and channel slices and shuffles (Permute, Cropping2D, Reshape).
  'LayerNormalization', 'Concatenate', 'Permute', 'Cropping2D']);

const bytesOf = (a: Artifact, path: string) => Buffer.concat([...a.files.find((f) => f.path === path)!.chunks()]);
const modelJson = (a: Artifact) => JSON.parse(bytesOf(a, 'model.json').toString('utf8')) as LayersModelJson;

/** The float32 values of one manifest weight, read back from the shards. */
function weightValues(a: Artifact, name: string): { shape: readonly number[]; values: Float32Array } {
  const json = modelJson(a);
  const group = json.weightsManifest[0]!;
  const all = Buffer.concat(group.paths.map((p) => bytesOf(a, p)));
  let offset = 0;
  for (const w of group.weights) {
    const n = w.shape.reduce((x, y) => x * y, 1);
    if (w.name === name) return { shape: w.shape, values: new Float32Array(all.buffer.slice(all.byteOffset + offset, all.byteOffset + offset + n * 4)) };
    offset += n * 4;
  }
  throw new Error(`no weight ${name}`);
}

const models = [
  ['efficientnet-b0.effnet'],
  ['mobilenet-v2.effnet'],
  ['resnet.effnet'],
  ['mobilenet-v1.effnet'],
  ['convnext.effnet'],
  ['densenet.effnet'],
  ['shufflenet-v2.effnet'],
] as const;

describe('TF.js artifact', () => {
  it.each(models)('%s @64: Keras layers only, shards <= 4 MB, manifest totals = cost report', (file) => {
    const c = compileSpec(file, { scaling: { inputSize: 64 } });
    const a = emitTfjs(c.graph, { seed: 3, weights: 'random' });
    expect(a.layout).toBe('directory');
    const json = modelJson(a);
    expect(json.format).toBe('layers-model');
    expect(json.modelTopology.backend).toBe('tensor_flow.js');
    const layers = json.modelTopology.config.layers;
    for (const l of layers) expect(allowed.has(l.class_name), l.class_name).toBe(true);
    expect(new Set(layers.map((l) => l.name)).size).toBe(layers.length);
    expect(json.modelTopology.config.output_layers[0]![0]).toBe(c.graph.nodes[c.graph.output]!.name);

    const group = json.weightsManifest[0]!;
    const total = (pred: (n: string) => boolean) => group.weights.filter((w) => pred(w.name)).reduce((s, w) => s + w.shape.reduce((x, y) => x * y, 1), 0);
    const stat = (n: string) => /\/moving_(mean|variance)$/.test(n);
    expect(total((n) => !stat(n))).toBe(c.report.total.params);
    expect(total(stat)).toBe(c.report.total.bnStats);
    expect(a.summary.params).toBe(c.report.total.params);

    let bytes = 0;
    for (const p of group.paths) {
      const n = bytesOf(a, p).byteLength;
      expect(n).toBeLessThanOrEqual(4 * 1024 * 1024);
      bytes += n;
    }
    expect(bytes).toBe((c.report.total.params + c.report.total.bnStats) * 4);
  });

  it('uses padding "same" where TF would pad as the graph does, ZeroPadding2D + "valid" elsewhere', () => {
    // B0 is TF-SAME throughout (asymmetric at stride 2): no explicit padding layers at all.
    const b0 = modelJson(emitTfjs(compileSpec('efficientnet-b0.effnet', { scaling: { inputSize: 64 } }).graph, { seed: 1, weights: 'zeros' }));
    expect(b0.modelTopology.config.layers.filter((l) => l.class_name === 'ZeroPadding2D')).toHaveLength(0);
    const stem = b0.modelTopology.config.layers.find((l) => l.name === 'stem_conv')!;
    expect(stem.config.padding).toBe('same');

    // ResNet is symmetric (PyTorch): the 7x7/2 stem and the 3x3/2 max pool need explicit (3,3) and (1,1).
    const rn = modelJson(emitTfjs(compileSpec('resnet.effnet', { scaling: { inputSize: 64 } }).graph, { seed: 1, weights: 'zeros' }));
    const pads = rn.modelTopology.config.layers.filter((l) => l.class_name === 'ZeroPadding2D');
    expect(pads.find((l) => l.name === 'stem_conv_pad')?.config.padding).toEqual([[3, 3], [3, 3]]);
    expect(pads.find((l) => l.name === 'stem2_pool_pad')?.config.padding).toEqual([[1, 1], [1, 1]]);
    expect(rn.modelTopology.config.layers.find((l) => l.name === 'stem2_pool')!.config.padding).toBe('valid');
    // Stride-1 3x3 convs: symmetric padding is what 'same' does.
    expect(rn.modelTopology.config.layers.find((l) => l.name === 'block1a_2_conv')!.config.padding).toBe('same');
  });

  it('computes TF SAME padding as TF.js conv_util does', () => {
    expect(samePads(224, 3, 2)).toEqual([0, 1]);
    expect(samePads(56, 5, 2)).toEqual([1, 2]);
    expect(samePads(65, 5, 2)).toEqual([2, 2]);
    expect(samePads(7, 1, 1)).toEqual([0, 0]);
  });

  it('builds the SE block from GlobalAveragePooling2D, Reshape, Conv2D and a broadcasting Multiply', () => {
    const json = modelJson(emitTfjs(compileSpec('efficientnet-b0.effnet', { scaling: { inputSize: 64 } }).graph, { seed: 1, weights: 'zeros' }));
    const byName = new Map(json.modelTopology.config.layers.map((l) => [l.name, l]));
    expect(byName.get('block2a_se_squeeze')!.class_name).toBe('GlobalAveragePooling2D');
    const reshape = byName.get('block2a_se_squeeze_reshape')!;
    expect(reshape.class_name).toBe('Reshape');
    expect(reshape.config.target_shape).toEqual([1, 1, 96]);
    expect(byName.get('block2a_se_reduce')!.inbound_nodes[0]![0]![0]).toBe('block2a_se_squeeze_reshape');
    expect(byName.get('block2a_se_excite')!.class_name).toBe('Multiply');
    // Drop-connect drops whole samples.
    expect(byName.get('block2b_drop')!.config.noise_shape).toEqual([null, 1, 1, 1]);
  });

  it('writes the shared weights transposed to TF layouts', () => {
    const c = compileSpec('mobilenet-v2.effnet', { scaling: { inputSize: 64 } });
    const o = { seed: 11, weights: 'random' as const };
    const a = emitTfjs(c.graph, o);
    const node = (name: string) => c.graph.nodes.find((n) => n.name === name)!;
    const inC = (name: string) => { const s = c.graph.nodes[node(name).inputs[0]!]!.shape; return s[s.length - 1]!; };
    const kernelOf = (name: string) => {
      const n = node(name);
      if (n.op.kind !== 'conv') throw new Error(name);
      return weightSource(o).tensor(n, 'kernel', [n.op.filters, inC(name) / n.op.groups, n.op.kernel, n.op.kernel]);
    };

    // Conv2D: TF [k, k, in, out][y][x][i][o] = ONNX [out, in, k, k][o][i][y][x].
    const conv = weightValues(a, 'stem_conv/kernel');
    const onnx = kernelOf('stem_conv');
    const [k, , ci, co] = conv.shape as [number, number, number, number];
    for (const [o_, i, y, x] of [[0, 0, 0, 0], [5, 2, 1, 2], [co - 1, ci - 1, k - 1, k - 1], [17, 1, 2, 0]] as const) {
      expect(conv.values[((y * k + x) * ci + i) * co + o_]).toBe(onnx[((o_ * ci + i) * k + y) * k + x]);
    }
    // DepthwiseConv2D: TF [k, k, C, 1][y][x][c] = ONNX [C, 1, k, k][c][y][x].
    const dw = weightValues(a, 'block2a_dwconv/depthwise_kernel');
    const dwOnnx = kernelOf('block2a_dwconv');
    const C = dw.shape[2]!;
    expect(dw.shape).toEqual([3, 3, C, 1]);
    for (const [ch, y, x] of [[0, 0, 0], [7, 1, 2], [C - 1, 2, 2]] as const) expect(dw.values[(y * 3 + x) * C + ch]).toBe(dwOnnx[(ch * 3 + y) * 3 + x]);
    // Dense: TF [inputs, units] = ONNX [units, inputs] transposed.
    const dense = weightValues(a, 'predictions/kernel');
    const [inputs, units] = dense.shape as [number, number];
    const dOnnx = weightSource(o).tensor(node('predictions'), 'kernel', [units, inputs]);
    for (const [u, i] of [[0, 0], [999, 3], [123, inputs - 1]] as const) expect(dense.values[i * units + u]).toBe(dOnnx[u * inputs + i]);
  });

  it('is deterministic: the same seed gives the same bytes, another seed different ones', () => {
    const c = compileSpec('efficientnet-b0.effnet', { scaling: { inputSize: 32 } });
    const a = emitTfjs(c.graph, { seed: 5, weights: 'random' });
    const b = emitTfjs(c.graph, { seed: 5, weights: 'random' });
    const d = emitTfjs(c.graph, { seed: 6, weights: 'random' });
    for (const f of a.files) expect(bytesOf(b, f.path).equals(bytesOf(a, f.path))).toBe(true);
    expect(bytesOf(d, 'group1-shard1of6.bin').equals(bytesOf(a, 'group1-shard1of6.bin'))).toBe(false);
  });

  it('writes a grouped convolution as a dense Conv2D whose kernel is zero outside its groups, and says so', () => {
    const c = compileEdited('resnet.effnet', { variant: 'resnet18', scaling: undefined }, (t) => t);
    const conv = c.graph.nodes.find((n) => n.op.kind === 'conv' && n.op.kernel === 3 && n.name !== 'stem_conv')!;
    const op = conv.op as Extract<typeof conv.op, { kind: 'conv' }>;
    const graph = { ...c.graph, nodes: c.graph.nodes.map((n) => (n === conv ? { ...n, op: { ...op, groups: 2 } } : n)) };
    const a = emitTfjs(graph, { seed: 1, weights: 'random' });
    expect(a.notes?.map((n) => n.node.name)).toEqual([conv.name]);
    expect(a.notes![0]!.what).toContain('2 groups');
    const inC = 64;
    const { shape, values } = weightValues(a, `${conv.name}/kernel`);
    expect(shape).toEqual([3, 3, inC, op.filters]);
    // TF layout [k, k, in, out]: output o of group g reads inputs [g * 32, g * 32 + 32) only.
    const grouped = weightSource({ seed: 1, weights: 'random' }).tensor({ ...conv, op: { ...op, groups: 2 } }, 'kernel', [op.filters, inC / 2, 3, 3]);
    let inside = 0;
    for (let y = 0; y < 9; y++)
      for (let i = 0; i < inC; i++)
        for (let o = 0; o < op.filters; o++) {
          const v = values[(y * inC + i) * op.filters + o]!;
          const g = Math.floor(o / (op.filters / 2));
          if (Math.floor(i / (inC / 2)) !== g) expect(v).toBe(0);
          else {
            expect(v).toBe(grouped[(o * (inC / 2) + (i % (inC / 2))) * 9 + y]!);
            if (v !== 0) inside++;
          }
        }
    expect(inside).toBeGreaterThan(0);
  });
});

// Both backends fold BN with the same functions on the same kernels: the folded numbers are the same floats,
// only laid out differently (so each tensor's sorted values match exactly).
describe('BN folded by TF.js equals BN folded by ONNX', () => {
  it('MobileNetV2 @32 with random BN statistics: every folded kernel and bias', async () => {
    const { onnxBackend } = await import('../../../backends/onnx/onnx-backend.js');
    const { decode, artifactBytes } = await import('../onnx/onnx-helpers.js');
    const c = compileEdited('mobilenet-v2.effnet', { scaling: { inputSize: 32 } });
    const options = { seed: 4, weights: 'random', randomBatchNorm: true } as const;
    const tfjs = emitTfjs(c.graph, { ...options, foldBatchNorm: true });
    const onnx = decode(artifactBytes(onnxBackend.emit(c.graph, options)));
    const sorted = (x: Float32Array) => Array.from(x).sort((a, b) => a - b);
    let compared = 0;
    for (const t of onnx.graph.initializer.filter((x) => /\/(kernel|bias)$/.test(x.name))) {
      const raw = t.rawData!;
      const ours = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
      const tfName = t.name.endsWith('/kernel') && /dwconv/.test(t.name) ? t.name.replace('/kernel', '/depthwise_kernel') : t.name;
      if (!modelJson(tfjs).weightsManifest[0]!.weights.some((w) => w.name === tfName)) continue;
      expect(sorted(weightValues(tfjs, tfName).values), t.name).toEqual(sorted(ours));
      compared++;
    }
    expect(compared).toBeGreaterThan(100);
  });
});
