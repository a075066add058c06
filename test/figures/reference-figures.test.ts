/**
 * The reference figures of ../shared/reference/figures.md (torchvision, Keras, the papers): parameters and
 * BN statistics to the unit, MACs within 0.5 %.
 */
import { describe, expect, it } from 'vitest';
import { compileSpec } from '../helpers.js';

const table = [
  // spec                      variant      resolution  params       BN stats  MACs
  ['efficientnet-b0.effnet', undefined, 224, 5_288_548, 42_016, 385_814_752],
  ['efficientnet-b0.effnet', 'b1', 240, 7_794_184, 62_048, 686_802_832],
  ['efficientnet-b0.effnet', 'b2', 260, 9_109_994, 67_568, 993_561_872],
  ['efficientnet-b0.effnet', 'b3', 300, 12_233_232, 87_296, 1_827_141_392],
  ['efficientnet-b0.effnet', 'b4', 380, 19_341_616, 125_200, 4_393_771_024],
  ['efficientnet-b0.effnet', 'b5', 456, 30_389_784, 172_736, 10_266_384_752],
  ['efficientnet-b0.effnet', 'b6', 528, 43_040_704, 224_432, 19_067_593_536],
  ['efficientnet-b0.effnet', 'b7', 600, 66_347_960, 310_720, 37_745_884_192],
  ['mobilenet-v1.effnet', undefined, 224, 4_231_976, 21_888, 568_740_352],
  ['mobilenet-v2.effnet', undefined, 224, 3_504_872, 34_112, 300_774_272],
  ['resnet.effnet', 'resnet18', 224, 11_689_512, 9_600, 1_814_073_344],
  ['resnet.effnet', 'resnet34', 224, 21_797_672, 17_024, 3_663_761_408],
  ['resnet.effnet', 'resnet50', 224, 25_557_032, 53_120, 4_089_184_256],
  ['resnet.effnet', 'resnet101', 224, 44_549_160, 105_344, 7_801_405_440],
  ['resnet.effnet', 'resnet152', 224, 60_192_808, 151_424, 11_513_626_624],
] as const;

/**
 * Specs beyond figures.md, checked against torchvision's published model figures (num_params and _ops in
 * torchvision/models/mobilenetv3.py and mnasnet.py): they show the language expresses MobileNetV3 (hard-swish,
 * SE on expanded channels rounded to 8, hard-sigmoid gate, pooled dense head) and MnasNet exactly.
 */
const torchvisionTable = [
  ['mobilenet-v3-large.effnet', undefined, 5_483_032, 0.217],
  ['mnasnet.effnet', undefined, 4_383_312, 0.314],
  ['mnasnet.effnet', 'mnasnet0_5', 2_218_512, 0.104],
  ['mnasnet.effnet', 'mnasnet0_75', 3_170_208, 0.215],
  ['mnasnet.effnet', 'mnasnet1_3', 6_282_256, 0.526],
] as const;

describe('torchvision figures for MobileNetV3-Large and MnasNet', () => {
  it.each(torchvisionTable)('%s %s: %i params, %d GMACs', (spec, variant, params, gmacs) => {
    const c = compileSpec(spec, variant ? { variant } : {});
    expect(c.report.total.params).toBe(params);
    expect((c.report.total.macs / 1e9).toFixed(3)).toBe(gmacs.toFixed(3));
  });
});

describe('reference figures', () => {
  it.each(table)('%s %s @%i: %i params, %i BN stats, %i MACs', (spec, variant, resolution, params, bnStats, macs) => {
    const c = compileSpec(spec, variant ? { variant } : {});
    expect(c.scaled.input.height).toBe(resolution);
    expect(c.report.total.params).toBe(params);
    expect(c.report.total.bnStats).toBe(bnStats);
    expect(Math.abs(c.report.total.macs - macs) / macs).toBeLessThan(0.005);
  });
});
