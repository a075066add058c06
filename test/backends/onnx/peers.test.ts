/**
 * Our EfficientNet-B0 and MobileNetV2 have the same sequence of Conv weight shapes, and as many Conv and Gemm
 * weights, as torchvision's own exports (BN folded there too). What those files hold is recorded in
 * peers.json, so the comparison runs on any clone; wherever ../shared/peers/ is present, the record is
 * checked against the files themselves. The parameters we write add up to the cost report's: exactly with
 * --keep-bn, and minus one of BN's two per-channel parameters when folded (gamma and beta become the bias).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { onnxBackend } from '../../../backends/onnx/onnx-backend.js';
import { compileSpec } from '../../helpers.js';
import { convWeightShapes, countElements, layerWeightElements, decode, defaults, emitBytes, peersDir } from './onnx-helpers.js';
import recorded from './peers.json' with { type: 'json' };

type PeerFile = keyof typeof recorded;
const peers: { title: string; spec: string; peer: PeerFile; convs: number }[] = [
  { title: 'EfficientNet-B0', spec: 'efficientnet-b0.effnet', peer: 'efficientnet_b0.torchvision.onnx', convs: 81 },
  { title: 'MobileNetV2', spec: 'mobilenet-v2.effnet', peer: 'mobilenet_v2.torchvision.onnx', convs: 52 },
];

/** Parameters proper: kernels, biases, gamma, beta; not BN running statistics or Clip bounds. */
const isParam = (name: string) => /\/(kernel|bias|gamma|beta)$/.test(name);

describe('against the torchvision exports (recorded in peers.json)', { timeout: 60_000 }, () => {
  it.each(peers)('$title: the Conv weight shapes, in order, equal the peer file\'s', ({ spec, peer, convs }) => {
    const ours = convWeightShapes(decode(emitBytes(compileSpec(spec).graph, { weights: 'zeros' })));
    expect(recorded[peer].convWeightShapes).toHaveLength(convs);
    expect(ours).toEqual(recorded[peer].convWeightShapes);
  });

  it.each(peers)('$title: the folded Conv and Gemm layers hold as many weights as the peer file', ({ spec, peer }) => {
    const ours = decode(emitBytes(compileSpec(spec).graph, { weights: 'zeros' }));
    expect(layerWeightElements(ours)).toBe(recorded[peer].layerWeights);
    expect(layerWeightElements(ours)).toBe(countElements(ours, isParam));
  });
});

if (!existsSync(peersDir)) console.warn(`peers.json not re-checked: ${peersDir} is not here`);

describe.runIf(existsSync(peersDir))('peers.json records what the files in ../shared/peers hold', { timeout: 60_000 }, () => {
  it.each(peers)('$peer', ({ peer }) => {
    const file = decode(readFileSync(path.join(peersDir, peer)));
    expect({ layerWeights: layerWeightElements(file), convWeightShapes: convWeightShapes(file) }).toEqual(recorded[peer]);
  });
});

describe('parameter totals equal the cost report', { timeout: 60_000 }, () => {
  it.each(['efficientnet-b0.effnet', 'mobilenet-v1.effnet', 'mobilenet-v2.effnet', 'resnet.effnet'])('%s', (spec) => {
    const c = compileSpec(spec);
    const kept = onnxBackend.emit(c.graph, { ...defaults, weights: 'zeros', keepBn: true });
    const folded = onnxBackend.emit(c.graph, { ...defaults, weights: 'zeros' });
    expect(kept.summary.params).toBe(c.report.total.params);
    expect(folded.summary.params).toBe(c.report.total.params - c.report.total.bnStats / 2);
    // And the summary counts what is really in the file.
    expect(countElements(decode(emitBytes(c.graph, { weights: 'zeros', keepBn: true })), isParam)).toBe(c.report.total.params);
    expect(countElements(decode(emitBytes(c.graph, { weights: 'zeros', keepBn: true })), (n) => /moving_/.test(n))).toBe(c.report.total.bnStats);
  });
});
