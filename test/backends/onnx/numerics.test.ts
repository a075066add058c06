/**
 * Numerics: for every spec in specs/ and a MobileNetV3-like toy, onnxruntime's output (opsets 13 and 17)
 * equals a naive reference interpreter of the IR (reference-interpreter.ts,
 * which shares no code with the backend), for every op kind: asymmetric TF-SAME and symmetric pads, depthwise
 * convs, SE broadcast, swish, relu6 (Clip), hard_swish and hard_sigmoid (HardSigmoid alpha 1/6), max and
 * average pooling, Gemm. And folding BN changes nothing: with random BN statistics, --keep-bn and the folded
 * file agree to 1e-4 relative (and the statistics matter, so the comparison is not vacuous).
 */
import { describe, expect, it } from 'vitest';
import { compile, type CompileOptions } from '../../../src/pipeline.js';
import { specFiles, tinyV3 } from './cases.js';
import { compileSpec } from '../../helpers.js';
import { interpret, sampleHwc } from './reference-interpreter.js';
import { decode, defaults, emitBytes, inputDims, randomInput, relativeError, runOrt } from './onnx-helpers.js';


function tinyGraph() {
  const c = compile('tiny-v3.effnet', tinyV3());
  if (!c.graph) throw new Error(c.diagnostics.map((d) => d.message).join('; '));
  return c.graph;
}

type GraphOf = () => ReturnType<typeof tinyGraph>;
const models: { title: string; graph: GraphOf }[] = [
  { title: 'tiny MobileNetV3-like (hard_swish, hard_sigmoid, avgpool, dense head)', graph: tinyGraph },
  { title: 'ResNet-18 @32 (maxpool, residual)', graph: () => compileSpec('resnet.effnet', { variant: 'resnet18', scaling: { inputSize: 32 } } as CompileOptions).graph },
  // Every spec in specs/ as written, at 32x32 (ResNet's baseline is ResNet-50).
  ...specFiles.map((file) => ({ title: `${file} @32`, graph: () => compileSpec(file, { scaling: { inputSize: 32 } }).graph })),
];

/** Layer norm is ONNX's from opset 17: a model that has one is compared at 17 only. */
const opsetsOf = (g: ReturnType<GraphOf>) => (g.nodes.some((n) => n.op.kind === 'layernorm') ? [17] : [13, 17]);

describe('onnxruntime equals the reference interpreter', () => {
  it.each(models)('$title', async ({ graph }) => {
    const g = graph();
    const dims = inputDims(g, 2);
    const input = randomInput(dims.reduce((a, b) => a * b, 1), 7);
    const options = { ...defaults, randomBatchNorm: true };
    const expected = [0, 1].map((b) => Float32Array.from(interpret(g, sampleHwc(input, b, dims[1]!, dims[2]!, dims[3]!), options)));
    for (const opset of opsetsOf(g)) {
      const { outputs } = await runOrt(emitBytes(g, { ...options, opset }), dims, input);
      const logits = outputs.logits!.data;
      const classes = logits.length / 2;
      for (let b = 0; b < 2; b++) {
        expect(relativeError(logits.subarray(b * classes, (b + 1) * classes), expected[b]!), `opset ${opset}, sample ${b}`).toBeLessThan(1e-4);
      }
    }
  }, 120_000);
});

describe('folding batch norm changes nothing numerically', () => {
  const cases = [
    { title: 'EfficientNet-B0 @64', graph: () => compileSpec('efficientnet-b0.effnet', { scaling: { inputSize: 64 } }).graph },
    { title: 'MobileNetV2 @64', graph: () => compileSpec('mobilenet-v2.effnet', { scaling: { inputSize: 64 } }).graph },
    { title: 'ResNet-50 @64', graph: () => compileSpec('resnet.effnet', { scaling: { inputSize: 64 } }).graph },
    { title: 'tiny MobileNetV3-like', graph: tinyGraph },
  ];
  it.each(cases)('$title: --keep-bn and folded agree to 1e-4 relative', async ({ graph }) => {
    const g = graph();
    const dims = inputDims(g, 2);
    const input = randomInput(dims.reduce((a, b) => a * b, 1), 3);
    const bnCount = g.nodes.filter((n) => n.op.kind === 'batchnorm').length;
    const kept = emitBytes(g, { randomBatchNorm: true, keepBn: true });
    const folded = emitBytes(g, { randomBatchNorm: true });
    expect(decode(kept).graph!.node.filter((n) => n.opType === 'BatchNormalization')).toHaveLength(bnCount);
    expect(decode(folded).graph!.node.filter((n) => n.opType === 'BatchNormalization')).toHaveLength(0);

    const a = (await runOrt(kept, dims, input)).outputs.logits!.data;
    const b = (await runOrt(folded, dims, input)).outputs.logits!.data;
    expect(relativeError(b, a)).toBeLessThan(1e-4);
    // The random statistics really change the network, so agreement above means something.
    const identity = (await runOrt(emitBytes(g), dims, input)).outputs.logits!.data;
    expect(relativeError(identity, a)).toBeGreaterThan(1e-2);
  }, 120_000);
});
