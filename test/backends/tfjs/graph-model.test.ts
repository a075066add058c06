/**
 * The TF.js graph model (`--tfjs-format graph`), the inference export. For every spec in specs/ and a scaled
 * variant of each, at 64x64: `tf.loadGraphModel` on tfjs-backend-wasm gives the ONNX file's logits (same seed,
 * random BN statistics so folding does real work) by the agreement rule, and so does the cpu backend. The
 * golden listing (test/golden/tfjs-graph/) shows what B0 becomes: no batch norm, every conv fused with its
 * bias, the squeezes as AvgPool, no Pad and no 'SAME'. What the graph format cannot express is refused.
 */
import * as tf from '@tensorflow/tfjs';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareOutputs } from '../../../backends/agreement.js';
import type { Graph } from '../../../src/ir/graph.js';
import { onnxBackend } from '../../../backends/onnx/onnx-backend.js';
import type { GraphModelJson, NodeDefJson } from '../../../backends/tfjs/graph/graph-model-format.js';
import { toGraphDef } from '../../../backends/tfjs/graph/to-graph-def.js';
import { selectBackend } from '../../../backends/tfjs/runtime/select-backend.js';
import { emitTfjs } from '../../../backends/tfjs/tfjs-backend.js';
import { TfjsExportError } from '../../../backends/tfjs/to-wire.js';
import { writeArtifact } from '../../../src/cli/output/write-artifact.js';
import { compile } from '../../../src/pipeline.js';
import { compileSpec, repoRoot } from '../../helpers.js';
import { specCases, tinyV3 } from '../onnx/cases.js';
import { compileEdited, emitToDir, onnxOutput, randomInput, tempDir, tfjsOutput } from './tfjs-helpers.js';

const work = tempDir('graph');
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(async () => {
  await selectBackend('wasm');
  // The cpu backend greets Node users with an install hint; the comparison is the point here.
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | undefined;
  if (cpu) cpu.firstUse = false;
});

const decodeAttr = (s: string) => Buffer.from(s, 'base64').toString('utf8');

const cases: [string, () => Graph][] = [
  ...specCases.map((c): [string, () => Graph] => [c.title, () => compileSpec(c.file, c.small).graph]),
  ['MobileNetV3-like (hard_sigmoid SE gate, avg pool, dense head with hard_swish)', () => compile('tiny-v3.effnet', tinyV3(64)).graph!],
  ['MobileNetV1 with hard_swish', () => compileEdited('mobilenet-v1.effnet', { scaling: { inputSize: 64 } }, (t) => t.replace(/activation\s+relu6/, 'activation hard_swish')).graph],
];

describe('the graph model computes the ONNX file\'s logits', () => {
  it.each(cases)('%s @64: wasm and cpu agree with onnxruntime-node to 1e-4', async (title, graphOf) => {
    const graph = graphOf();
    const shape = graph.nodes[0]!.shape;
    const seed = 11;
    const { dir } = emitToDir({ graph }, 'g', { seed, randomBatchNorm: true, tfjsFormat: 'graph' });
    const file = path.join(work, `${title.replace(/\W+/g, '-')}.onnx`);
    await writeArtifact(onnxBackend.emit(graph, { seed, weights: 'random', randomBatchNorm: true }), file);
    const input = randomInput(shape, 5);
    const reference = await onnxOutput(file, input, shape);
    // The outputs are of order 1, so a relative tolerance means something.
    const scale = Math.max(...Array.from(reference, Math.abs));
    expect(scale).toBeGreaterThan(1e-2);
    for (const backend of ['wasm', 'cpu']) {
      await tf.setBackend(backend);
      const got = await tfjsOutput(dir, input, shape);
      const a = compareOutputs(got, reference, 'cpu');
      expect(a.ok, `${backend}: ${a.summary}`).toBe(true);
    }
    await tf.setBackend('wasm');
    rmSync(dir, { recursive: true, force: true });
  });
});

/** One line per op node: name, op, inputs (weights as their shapes), fused ops, window, stride and padding. */
function listing(nodes: readonly NodeDefJson[], weights: ReadonlyMap<string, readonly number[]>): string {
  return nodes
    .filter((n) => n.op !== 'Const')
    .map((n) => {
      const inputs = (n.input ?? []).map((i) => (weights.has(i) ? `[${weights.get(i)!.join('x')}]` : i));
      const fused = n.attr?.fused_ops?.list?.s?.map(decodeAttr).join('+');
      const padding = n.attr?.padding?.s ? decodeAttr(n.attr.padding.s) : undefined;
      const explicit = n.attr?.explicit_paddings?.list?.i?.slice(2, 6).join(',');
      const window = n.attr?.ksize?.list?.i?.slice(1, 3).join('x');
      const strides = n.attr?.strides?.list?.i?.[1];
      return [n.name, `${n.op}(${inputs.join(', ')})`, fused && `fused ${fused}`, window && `window ${window}`, strides && strides !== '1' && `stride ${strides}`, padding && `${padding}${explicit ? ` ${explicit}` : ''}`].filter(Boolean).join('  ');
    })
    .join('\n') + '\n';
}

describe('what EfficientNet-B0 becomes', () => {
  const graph = compileSpec('efficientnet-b0.effnet').graph;
  const def = toGraphDef(graph, { seed: 0, weights: 'zeros' });
  const ops = def.nodes.map((n) => n.op);

  it('golden: the node listing', async () => {
    const shapes = new Map(def.weights.map((w) => [w.name, w.shape]));
    await expect(listing(def.nodes, shapes)).toMatchFileSnapshot(path.join(repoRoot, 'test/golden/tfjs-graph/efficientnet-b0.txt'));
  });

  it('folds every BN and fuses every conv with its bias; no Pad, no Mean, no SAME at a fixed size', () => {
    const count = (op: string) => ops.filter((o) => o === op).length;
    const convs = graph.nodes.filter((n) => n.op.kind === 'conv');
    expect(def.foldedBatchNorms).toBe(graph.nodes.filter((n) => n.op.kind === 'batchnorm').length);
    expect(count('_FusedConv2D') + count('FusedDepthwiseConv2dNative')).toBe(convs.length);
    expect(count('FusedDepthwiseConv2dNative')).toBe(16);
    for (const absent of ['FusedBatchNormV3', 'Conv2D', 'DepthwiseConv2dNative', 'BiasAdd', 'Pad', 'Mean', 'Identity']) expect(ops, absent).not.toContain(absent);
    expect(count('AvgPool')).toBe(17);
    // swish is Sigmoid then Mul (49 of them); the SE gates' sigmoids are fused into their convs.
    expect(count('Sigmoid')).toBe(49);
    const paddings = new Set(def.nodes.flatMap((n) => (n.attr?.padding?.s ? [decodeAttr(n.attr.padding.s)] : [])));
    expect([...paddings].sort()).toEqual(['EXPLICIT', 'VALID']);
  });

  it('model.json: a signature naming input and logits, a manifest of exactly the Const nodes, the folded parameter count', () => {
    const artifact = emitTfjs(graph, { seed: 0, weights: 'zeros', tfjsFormat: 'graph' });
    const json = JSON.parse(new TextDecoder().decode([...artifact.files[0]!.chunks()][0])) as GraphModelJson;
    expect(json.format).toBe('graph-model');
    expect(json.signature.inputs.input!.name).toBe('input:0');
    expect(json.signature.inputs.input!.tensorShape.dim.map((d) => d.size)).toEqual(['-1', '224', '224', '3']);
    expect(json.signature.outputs.logits!.name).toBe('predictions:0');
    const consts = json.modelTopology.node.filter((n) => n.op === 'Const').map((n) => n.name);
    expect(json.weightsManifest[0]!.weights.map((w) => w.name)).toEqual(consts);
    const onnx = onnxBackend.emit(graph, { seed: 0, weights: 'zeros' });
    expect(artifact.summary.params).toBe(onnx.summary.params);
    expect(artifact.summary.format).toBe('tfjs graph-model');
  });
});

describe('what the graph format writes its own way, and what it refuses', () => {
  it('a grouped convolution: a dense conv with a block-diagonal kernel, and a note saying what it costs', () => {
    const c = compile('g.effnet', 'model g {\n  input 16x16x8\n  stem conv channels 8 kernel 3 stride 1 groups 2\n  stages {\n    conv 1 4 1 1\n  }\n}\n');
    const def = toGraphDef(c.graph!, { seed: 0, weights: 'random' });
    const kernel = def.weights.find((w) => w.name.startsWith('stem_conv') && w.shape.length === 4)!;
    expect(kernel.shape).toEqual([3, 3, 8, 8]);
    // [k, k, in, out]: input channels 0-3 feed outputs 0-3 only, 4-7 feed 4-7 only.
    const data = kernel.data() as Float32Array;
    const at = (i: number, o: number) => data[(0 * 3 + 0) * 64 + i * 8 + o]!;
    expect(at(0, 5)).toBe(0);
    expect(at(5, 1)).toBe(0);
    expect(at(1, 2)).not.toBe(0);
    expect(def.notes.map((n) => n.node.name)).toEqual(['stem_conv']);
    expect(def.notes[0]!.cost).toMatch(/2x this layer's MACs/);
  });

  it('an op it does not know (a primitive added to the IR later), pointing at --tfjs-format layers', () => {
    const graph = compileSpec('mobilenet-v2.effnet', { scaling: { inputSize: 32 } }).graph;
    const nodes = graph.nodes.map((n) => (n.op.kind === 'add' ? { ...n, op: { kind: 'attention' } as never } : n));
    let error: unknown;
    try {
      toGraphDef({ ...graph, nodes }, { seed: 0, weights: 'zeros' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TfjsExportError);
    expect((error as TfjsExportError).message).toMatch(/'attention' has no TF.js graph-model op.*--tfjs-format layers/);
    expect((error as TfjsExportError).node?.op.kind).toBe('attention');
  });
});
