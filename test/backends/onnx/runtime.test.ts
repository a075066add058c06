/**
 * Every spec, as written and scaled, loads and runs in onnxruntime-node at 64x64: the output is [N, classes]
 * and finite, and every intermediate tensor's shape as ORT computes it equals the IR's (each value_info entry
 * is promoted to a graph output so ORT reports its real shape). Also: the oldest and newest opsets run.
 */
import { describe, expect, it } from 'vitest';
import { MAX_OPSET, MIN_OPSET } from '../../../backends/onnx/opset.js';
import { onnxDims } from '../../../backends/onnx/op-to-onnx.js';
import type { Graph } from '../../../src/ir/graph.js';
import { compileSpec } from '../../helpers.js';
import { specCases } from './cases.js';
import { decode, emitBytes, encode, inputDims, runOrt } from './onnx-helpers.js';

const BATCH = 2;

/** The model with every value_info tensor also listed as a graph output. */
function exposeIntermediates(bytes: Uint8Array): { bytes: Uint8Array; declared: Map<string, (number | string)[]> } {
  const model = decode(bytes);
  const g = model.graph!;
  const declared = new Map<string, (number | string)[]>();
  for (const vi of [...g.valueInfo, ...g.output]) {
    declared.set(vi.name, vi.type.tensorType.shape.dim.map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue))));
  }
  g.output.push(...g.valueInfo);
  return { bytes: encode(model), declared };
}

/** Every IR node that owns a tensor of its own name must be declared with the IR's shape in NCHW. */
function expectValueInfoMatchesIr(graph: Graph, declared: Map<string, (number | string)[]>): void {
  let matched = 0;
  for (const node of graph.nodes) {
    const dims = declared.get(node.name);
    if (!dims) continue;
    expect(dims, node.name).toEqual(onnxDims(node.shape, 'N'));
    matched++;
  }
  expect(matched).toBeGreaterThan(graph.nodes.length / 3);
}

describe('onnxruntime-node runs every spec at 64x64', { timeout: 60_000 }, () => {
  it.each(specCases)('$title: logits [N, classes], finite; ORT shapes equal the IR shapes', async ({ file, small }) => {
    const c = compileSpec(file, small);
    const { bytes, declared } = exposeIntermediates(emitBytes(c.graph));
    expectValueInfoMatchesIr(c.graph, declared);
    const { outputs } = await runOrt(bytes, inputDims(c.graph, BATCH));

    const classes = c.graph.nodes[c.graph.output]!.shape[0]!;
    expect(outputs.logits!.dims).toEqual([BATCH, classes]);
    expect(outputs.logits!.data.every(Number.isFinite)).toBe(true);
    // Not all equal: the network really computed something from the input.
    expect(new Set(outputs.logits!.data).size).toBeGreaterThan(classes);

    expect(Object.keys(outputs).length).toBe(declared.size);
    for (const [name, dims] of declared) {
      expect(outputs[name]?.dims, name).toEqual(dims.map((d) => (d === 'N' ? BATCH : d)));
      expect(outputs[name]!.data.every(Number.isFinite), name).toBe(true);
    }
  }, 120_000);

  it.each([MIN_OPSET, MAX_OPSET])('opset %i runs and gives the opset-17 logits', async (opset) => {
    const c = compileSpec('efficientnet-b0.effnet', { scaling: { inputSize: 64 } });
    const dims = inputDims(c.graph, 1);
    const reference = await runOrt(emitBytes(c.graph), dims);
    const other = await runOrt(emitBytes(c.graph, { opset }), dims);
    expect(Number(decode(emitBytes(c.graph, { opset })).opsetImport[0]!.version)).toBe(opset);
    expect(other.outputs.logits!.data).toEqual(reference.outputs.logits!.data);
  });

  it('--batch fixes the batch dimension', async () => {
    const c = compileSpec('mobilenet-v2.effnet', { scaling: { inputSize: 64 } });
    const model = decode(emitBytes(c.graph, { batch: 3 }));
    expect(Number(model.graph!.input[0]!.type!.tensorType!.shape!.dim![0]!.dimValue)).toBe(3);
    expect((await runOrt(emitBytes(c.graph, { batch: 3 }), inputDims(c.graph, 3))).outputs.logits!.dims).toEqual([3, 1000]);
    await expect(runOrt(emitBytes(c.graph, { batch: 3 }), inputDims(c.graph, 2))).rejects.toThrow();
  });
});
