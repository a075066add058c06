/**
 * Tan & Le 2019, Table 3: scaling MobileNets and ResNet-50 by one dimension at a time. Each row is checked
 * within 1 % of the figure recomputed with the reference blocks (../shared/reference/figures.md) and within
 * 5 % of the paper's figure. Two ResNet-50 rows disagree with the paper: repeats x 4 gives the paper's
 * *width* figure and channels x 2 its *depth* figure, so the paper's two rows look swapped; the test checks
 * each against the paper's other row and says so.
 */
import { describe, expect, it } from 'vitest';
import type { ScalingRequest } from '../../src/passes/compound-scale.js';
import { compileSpec } from '../helpers.js';

interface Row {
  readonly row: string;
  readonly spec: string;
  readonly variant?: string;
  readonly scaling: ScalingRequest;
  readonly paper: number;
  readonly recomputed: number;
  readonly note?: string;
}

const rows: readonly Row[] = [
  { row: 'MobileNetV1 w=2', spec: 'mobilenet-v1.effnet', scaling: { width: 2 }, paper: 2.2e9, recomputed: 2.216e9 },
  { row: 'MobileNetV1 r=2', spec: 'mobilenet-v1.effnet', scaling: { resolution: 2 }, paper: 2.2e9, recomputed: 2.272e9 },
  // int(c * w), 224 * 1.3 to a multiple of 32 = 288 px (the spec's rounding rules, stated in its comments).
  { row: 'MobileNetV1 d=1.4 w=1.2 r=1.3', spec: 'mobilenet-v1.effnet', scaling: { depth: 1.4, width: 1.2, resolution: 1.3 }, paper: 2.3e9, recomputed: 2.219e9 },
  { row: 'MobileNetV2 d=4', spec: 'mobilenet-v2.effnet', scaling: { depth: 4 }, paper: 1.2e9, recomputed: 1.22e9 },
  { row: 'MobileNetV2 w=2', spec: 'mobilenet-v2.effnet', scaling: { width: 2 }, paper: 1.1e9, recomputed: 1.137e9 },
  { row: 'MobileNetV2 r=2', spec: 'mobilenet-v2.effnet', scaling: { resolution: 2 }, paper: 1.2e9, recomputed: 1.199e9 },
  { row: 'ResNet-50 d=4', spec: 'resnet.effnet', variant: 'resnet50', scaling: { depth: 4 }, paper: 14.7e9, recomputed: 14.571e9, note: "the paper prints 16.2B here and 14.7B for w=2: swapped" },
  { row: 'ResNet-50 w=2', spec: 'resnet.effnet', variant: 'resnet50', scaling: { width: 2 }, paper: 16.2e9, recomputed: 16.117e9, note: "the paper prints 14.7B here and 16.2B for d=4: swapped" },
  { row: 'ResNet-50 r=2', spec: 'resnet.effnet', variant: 'resnet50', scaling: { resolution: 2 }, paper: 16.4e9, recomputed: 16.351e9 },
];

describe("the paper's Table 3", () => {
  it.each(rows)('$row: recomputed $recomputed, paper $paper', ({ spec, variant, scaling, paper, recomputed }) => {
    const macs = compileSpec(spec, { ...(variant ? { variant } : {}), scaling }).report.total.macs;
    expect(Math.abs(macs - recomputed) / recomputed).toBeLessThan(0.01);
    expect(Math.abs(macs - paper) / paper).toBeLessThan(0.05);
  });
});
