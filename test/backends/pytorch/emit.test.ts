/**
 * The PyTorch artifact without running Python: the three files, model.py's text (its imports, its class,
 * the module tree reading like the spec, deterministic bytes), the safetensors file (the format's rules, the
 * contract's names, the seeded numbers of the ONNX file of the same seed, tensors produced only while the file
 * is written), and the backend's own consistency checks.
 */
import { describe, expect, it } from 'vitest';
import { onnxBackend } from '../../../backends/onnx/onnx-backend.js';
import { moduleTree, PytorchExportError } from '../../../backends/pytorch/module-tree.js';
import { camelCase, docstringText, pyNumber, pyString } from '../../../backends/pytorch/python-literals.js';
import { seededWeights } from '../../../backends/seeded-weights.js';
import type { WeightSource } from '../../../backends/weight-source.js';
import { bufferSource } from '../../../src/checkpoint/byte-source.js';
import { readSafetensors } from '../../../src/checkpoint/safetensors.js';
import type { Graph } from '../../../src/ir/graph.js';
import { compile } from '../../../src/pipeline.js';
import { graphTensors } from '../../../src/weights/graph-tensors.js';
import { modulePaths, onnxInitializerName, stateDictKey } from '../../../src/weights/naming/effnet-names.js';
import { compileSpec } from '../../helpers.js';
import { artifactBytes, decode } from '../onnx/onnx-helpers.js';
import { kitchenSink } from './cases.js';
import { emitPytorch, fileBytes } from './pytorch-helpers.js';

const b0 = () => compileSpec('efficientnet-b0.effnet', { scaling: { inputSize: 64 } });
const modelPy = (graph: Graph, options = {}) => fileBytes(emitPytorch(graph, options), 'model.py').toString('utf8');
const weights = (graph: Graph, options = {}) => {
  const bytes = fileBytes(emitPytorch(graph, options), 'model.safetensors');
  return { bytes, checkpoint: readSafetensors(bufferSource(bytes)) };
};

describe('the PyTorch artifact', () => {
  it('is a directory of model.py, model.safetensors and load.py, with the figures the report gives', () => {
    const c = b0();
    const a = emitPytorch(c.graph);
    expect(a.layout).toBe('directory');
    expect(a.files.map((f) => f.path)).toEqual(['model.py', 'model.safetensors', 'load.py']);
    expect(a.summary).toMatchObject({ className: 'EfficientnetB0', params: c.report.total.params, bnStats: c.report.total.bnStats, foldedBatchNorm: false });
  });

  it('model.py imports only torch, torch.nn and torch.nn.functional, and names its class after the spec', () => {
    const py = modelPy(b0().graph);
    // Top-level imports (the docstring's loading example is indented).
    const imports = py.split('\n').filter((l) => /^(import|from)\s/.test(l));
    expect(py.split('\n').filter((l) => /^\s+(import|from)\s/.test(l))).toEqual(['    from model import EfficientnetB0', '    from load import read_safetensors']);
    expect(imports).toEqual(['import torch', 'import torch.nn as nn', 'import torch.nn.functional as F']);
    expect(py).toMatch(/^"""EfficientnetB0: the effnet spec efficientnet-b0 as a PyTorch module\./);
    expect(py).toContain("__all__ = ['EfficientnetB0']");
    expect(py).toContain('class EfficientnetB0(nn.Module):');
    expect(py).not.toMatch(/effnet\s*import|import\s+effnet/);
  });

  it('model.py reads like the spec: one line per block under a comment with its stage row', () => {
    const py = modelPy(b0().graph);
    expect(py).toContain("        # stage2: mbconv 2 24 3 2 expand 6 se 0.25\n        self.stage2 = sequence(\n            block2a=MBConv(16, 24, mid=96, kernel=3, stride=2, act='swish', se=4, pads=(0, 0, 1, 1)),\n            block2b=MBConv(24, 24, mid=144, kernel=3, stride=1, act='swish', se=6, skip=True, drop=0.025),\n        )");
    expect(py).toContain("        self.stem = ConvBnAct(3, 32, kernel=3, stride=2, act='swish', pads=(0, 0, 1, 1))");
    expect(py).toContain('        self.classifier = Classifier(1280, 1000, dropout=0.2)');
    // The spec's momentum 0.99 is Keras's decay: PyTorch's is 0.01.
    expect(py).toContain('BN_EPS = 0.001\nBN_MOMENTUM = 0.01');
    // Only the classes the model uses.
    expect(py).not.toContain('class Bottleneck');
    const resnet = modelPy(compileSpec('resnet.effnet', { variant: 'resnet18', scaling: { inputSize: 64 } }).graph);
    expect(resnet).toContain("self.add_module('1_conv', conv2d(cin, cout, kernel, stride, pads=pads))");
    expect(resnet).toContain("block2a=Basic(64, 128, kernel=3, stride=2, act='relu'),");
    expect(resnet).toContain('BN_MOMENTUM = 0.1');
    expect(resnet).not.toContain('raise ValueError'); // symmetric padding: any input size
  });

  it('the coverage spec exercises the asymmetric pads of convs and pools (the export and numerics tests rely on it)', () => {
    const py = modelPy(compile('kitchen-sink.effnet', kitchenSink('same', true)).graph!);
    expect(py).toContain('stem2=MaxPool(kernel=3, stride=2, pads=(0, 1, 1, 1)),');
    expect(py).toMatch(/block4a=Basic\(32, 32, kernel=4, stride=2, act='swish', drop=0\.125, pads=\([\d, ]+\), pads2=\([\d, ]+\)\)/);
    expect(py).toContain('class FusedMBConv');
  });

  it('the docstring states the spec, variant, scaling, params and MACs, and how to load the weights', () => {
    const c = compileSpec('efficientnet-b0.effnet', { variant: 'b3', scaling: { inputSize: 64 } });
    const py = modelPy(c.graph);
    expect(py).toContain('Variant and scaling: variant b3, width 1.2, depth 1.4, resolution');
    expect(py).toContain(`Params:        ${c.report.total.params.toLocaleString('en-US')} (trainable)`);
    expect(py).toContain(`MACs:          ${c.report.total.macs.toLocaleString('en-US')}`);
    expect(py).toContain("model.load_state_dict(read_safetensors('model.safetensors'))");
    expect(py).toContain('Weights (random, seed 0)');
  });

  it('is deterministic: the same spec and options give the same bytes, across compilations', () => {
    const all = (g: Graph) => emitPytorch(g, { seed: 3 }).files.map((f) => Buffer.concat([...f.chunks()]));
    const [a, b] = [all(b0().graph), all(b0().graph)];
    a.forEach((f, i) => expect(f.equals(b[i]!)).toBe(true));
    expect(fileBytes(emitPytorch(b0().graph, { seed: 4 }), 'model.safetensors').equals(a[1]!)).toBe(false);
  });
});

describe('model.safetensors', () => {
  it('follows the format: sorted header padded to 8 bytes, aligned tensors tiling the data, pt metadata', () => {
    const { bytes, checkpoint } = weights(b0().graph);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    expect(headerLength % 8).toBe(0);
    const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, { dtype: string; data_offsets: [number, number] }>;
    const names = Object.keys(header).filter((k) => k !== '__metadata__');
    expect(names).toEqual([...names].sort());
    for (const n of names) expect(header[n]!.data_offsets[0] % (header[n]!.dtype === 'I64' ? 8 : 4)).toBe(0);
    expect(checkpoint.metadata).toMatchObject({ format: 'pt', 'effnet.spec': 'efficientnet-b0', 'effnet.class': 'EfficientnetB0', 'effnet.weights': 'random, seed 0', 'effnet.input': '[3,64,64]' });
  });

  it("holds the contract's state_dict keys, with an I64 num_batches_tracked of 0 per batch norm", () => {
    const c = b0();
    const { bytes, checkpoint } = weights(c.graph);
    const pathOf = modulePaths(c.graph);
    const tensors = graphTensors(c.graph);
    const bns = new Set(tensors.filter((t) => t.role === 'mean').map((t) => `${pathOf(t.node)}.num_batches_tracked`));
    expect([...checkpoint.tensors.keys()].sort()).toEqual([...tensors.map((t) => stateDictKey(pathOf(t.node), t.role)), ...bns].sort());
    const headerLength = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, { data_offsets: [number, number] }>;
    for (const name of bns) {
      expect(checkpoint.tensors.get(name)).toMatchObject({ dtype: 'I64', shape: [] });
      const [begin, end] = header[name]!.data_offsets;
      expect(end - begin).toBe(8);
      expect(bytes.readBigInt64LE(8 + headerLength + begin)).toBe(0n);
    }
  });

  it('holds the numbers of the ONNX file of the same seed (kept BN), tensor for tensor', () => {
    const c = compileSpec('mobilenet-v3-large.effnet', { scaling: { inputSize: 32 } });
    const options = { seed: 5, weights: 'random', randomBatchNorm: true } as const;
    const { checkpoint } = weights(c.graph, options);
    const onnx = decode(artifactBytes(onnxBackend.emit(c.graph, { ...options, keepBn: true })));
    const raw = new Map(onnx.graph.initializer.map((t) => [t.name, t.rawData!]));
    const pathOf = modulePaths(c.graph);
    for (const t of graphTensors(c.graph)) {
      const ours = checkpoint.tensors.get(stateDictKey(pathOf(t.node), t.role))!;
      expect(ours.shape).toEqual(t.shape);
      const theirs = raw.get(onnxInitializerName(t.node, t.role))!;
      expect(Buffer.from(ours.toFloat32().buffer).equals(Buffer.from(theirs.buffer, theirs.byteOffset, theirs.byteLength))).toBe(true);
    }
  });

  it('asks the weight source for each tensor only while the file is written, once', () => {
    const c = b0();
    const calls: string[] = [];
    const seeded = seededWeights('random', 0);
    const spy: WeightSource = { description: 'spy', tensor: (node, role, shape) => (calls.push(`${node.name}/${role}`), seeded.tensor(node, role, shape)) };
    const a = emitPytorch(c.graph, { weights: spy });
    expect(calls).toEqual([]);
    const file = a.files.find((f) => f.path === 'model.safetensors')!;
    let chunks = 0;
    for (const chunk of file.chunks()) {
      chunks++;
      // One tensor at a time: no chunk holds more than the largest tensor.
      expect(chunk.byteLength).toBeLessThanOrEqual(Math.max(4 * 1280 * 1000, 64 * 1024));
    }
    expect(calls).toHaveLength(graphTensors(c.graph).length);
    expect(new Set(calls).size).toBe(calls.length);
    expect(chunks).toBeGreaterThan(calls.length);
  });
});

describe("the backend's own checks", () => {
  it('a node no module computes is an internal error, never a silently different model', () => {
    const c = b0();
    const nodes = c.graph.nodes.map((n) => (n.name === 'block2a_se_excite' ? { ...n, name: 'block2a_se_excite_twice' } : n));
    expect(() => moduleTree({ ...c.graph, nodes })).toThrow(PytorchExportError);
    expect(() => moduleTree({ ...c.graph, nodes })).toThrow(/block block2a has no se_excite node|no module computes block2a_se_excite_twice/);
  });

  it('a model that computes nothing is refused', () => {
    const c = compile('empty.effnet', 'model empty {\n  input 8x8x3\n  stages {\n    maxpool 1 - 1 1\n  }\n}\n');
    expect(c.graph).toBeDefined();
    expect(() => moduleTree({ ...c.graph!, nodes: c.graph!.nodes.slice(0, 1), output: 0 })).toThrow(/computes nothing/);
  });
});

describe('Python literals', () => {
  it.each([
    ['efficientnet-b0', 'EfficientnetB0'],
    ['mobilenet-v3-large', 'MobilenetV3Large'],
    ['tiny_v3', 'TinyV3'],
    ['resnet', 'Resnet'],
  ])('%s → class %s', (name, cls) => expect(camelCase(name)).toBe(cls));

  it('numbers, strings and docstrings read back as the values they were', () => {
    expect([0.001, 1e-7, 3, 0.0125, -0].map(pyNumber)).toEqual(['0.001', '1e-7', '3', '0.0125', '0']);
    expect(() => pyNumber(Infinity)).toThrow();
    expect(pyString("it's \\ é")).toBe("'it\\'s \\\\ \\xe9'");
    expect(docstringText('a """ b \\ c"')).toBe('a ""\\" b \\\\ c\\"');
  });
});
