/**
 * Our EfficientNet-B0 and MobileNetV2 have the same sequence of Conv weight shapes as torchvision's own
 * exports (../shared/peers/, BN folded there too), and the parameters we write add up to the cost report's:
 * exactly with --keep-bn, and minus one of BN's two per-channel parameters when folded (gamma and beta
 * become the conv's bias).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { onnxBackend } from '../../../backends/onnx/onnx-backend.js';
import { compileSpec } from '../../helpers.js';
import { convWeightShapes, countElements, layerWeightElements, decode, defaults, emitBytes, peersDir } from './onnx-helpers.js';

const peers = [
  { title: 'EfficientNet-B0', spec: 'efficientnet-b0.effnet', peer: 'efficientnet_b0.torchvision.onnx', convs: 81 },
  { title: 'MobileNetV2', spec: 'mobilenet-v2.effnet', peer: 'mobilenet_v2.torchvision.onnx', convs: 52 },
];

/** Parameters proper: kernels, biases, gamma, beta; not BN running statistics or Clip bounds. */
const isParam = (name: string) => /\/(kernel|bias|gamma|beta)$/.test(name);

describe('against the torchvision exports in ../shared/peers', { timeout: 60_000 }, () => {
  it('the peer directory is there', () => {
    expect(existsSync(peersDir), `${peersDir} (CI checks out shared/ beside the repo)`).toBe(true);
  });

  it.each(peers)('$title: the Conv weight shapes, in order, equal the peer file', ({ spec, peer, convs }) => {
    const ours = convWeightShapes(decode(emitBytes(compileSpec(spec).graph, { weights: 'zeros' })));
    const theirs = convWeightShapes(decode(readFileSync(path.join(peersDir, peer))));
    expect(theirs).toHaveLength(convs);
    expect(ours).toEqual(theirs);
  });

  it.each(peers)('$title: the folded Conv and Gemm layers hold as many weights as the peer file', ({ spec, peer }) => {
    const ours = decode(emitBytes(compileSpec(spec).graph, { weights: 'zeros' }));
    const theirs = decode(readFileSync(path.join(peersDir, peer)));
    expect(layerWeightElements(ours)).toBe(layerWeightElements(theirs));
    expect(layerWeightElements(ours)).toBe(countElements(ours, isParam));
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
