/**
 * effnet's tensor names are a public contract (ONNX initializers, TF.js weights, PyTorch state_dict keys):
 * this golden table pins them for a model of each kind, and the emitted files use exactly these names.
 * Accept a reviewed change with `npx vitest run -u`; a change here breaks every checkpoint users saved.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { onnxBackend } from '../../backends/onnx/onnx-backend.js';
import { emitTfjs } from '../../backends/tfjs/tfjs-backend.js';
import { graphTensors } from '../../src/weights/graph-tensors.js';
import { modulePaths, onnxInitializerName, stateDictKey, tfjsWeightName } from '../../src/weights/naming/effnet-names.js';
import { decode } from '../backends/onnx/onnx-helpers.js';
import { compileSpec, repoRoot } from '../helpers.js';

const cases = [
  ['efficientnet-b0.effnet', {}],
  ['resnet.effnet', { variant: 'resnet18' }],
  ['mobilenet-v3-large.effnet', {}],
  ['mnasnet.effnet', {}],
] as const;

describe('effnet tensor names', () => {
  it.each(cases)('%s %j', async (spec, options) => {
    const c = compileSpec(spec, { ...options, scaling: { inputSize: 64 } });
    const pathOf = modulePaths(c.graph);
    const rows = graphTensors(c.graph).map((t) => [stateDictKey(pathOf(t.node), t.role), onnxInitializerName(t.node, t.role), tfjsWeightName(t.node, t.role, c.graph), `[${t.shape.join(', ')}]`]);
    const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
    const text = ['state_dict key | ONNX initializer | TF.js weight | shape (PyTorch and ONNX layout)', ...rows.map((r) => r.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c)).join('  '))].join('\n') + '\n';
    const name = `${spec.replace('.effnet', '')}${'variant' in options ? `-${options.variant}` : ''}.txt`;
    await expect(text).toMatchFileSnapshot(path.join(repoRoot, 'test/golden/names', name));

    // The files use these names, every one of them (the ONNX file with --keep-bn, so nothing is folded away).
    const onnx = onnxBackend.emit(c.graph, { seed: 0, weights: 'zeros', keepBn: true });
    const bytes = Buffer.concat([...onnx.files[0]!.chunks()].map((b) => Buffer.from(b)));
    const initializers = decode(bytes).graph!.initializer.map((t) => t.name).filter((n) => !n.startsWith('relu6/'));
    expect(initializers.sort()).toEqual(rows.map((r) => r[1]!).sort());
    const manifest = JSON.parse(new TextDecoder().decode([...emitTfjs(c.graph, { seed: 0, weights: 'zeros' }).files[0]!.chunks()][0]));
    expect(manifest.weightsManifest[0].weights.map((w: { name: string }) => w.name).filter((n: string) => !n.includes('_affine'))).toEqual(rows.map((r) => r[2]));
    expect(new Set(rows.map((r) => r[0])).size).toBe(rows.length);
  });
});
