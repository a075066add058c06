/**
 * The families the built-in operators cannot write, written with user-defined blocks (and MobileNetV3-Small
 * and EfficientNetV2 with the built-in ones), against torchvision 0.14 itself: each member built with
 * weights=None, its parameters and BN running statistics counted, its MACs counted by hooks on every Conv2d
 * and Linear of one forward pass at the resolution of its default weights (regnet_y_128gf at 224; its
 * SWAG weights use 384). Parameters and BN statistics to the unit, MACs within 0.5 % (they agree exactly).
 * The rows are what torchvision-figures.py beside this file prints (run once; it builds every member, which CI
 * does not: regnet_y_128gf alone is 645 M parameters).
 */
import { describe, expect, it } from 'vitest';
import { compileSpec } from '../helpers.js';

const table = [
  // spec                        variant                resolution  params      BN stats  MACs
  ['resnext.effnet',            'resnext50_32x4d',     224,  25_028_904,   68_224,   4_230_479_872],
  ['resnext.effnet',            'resnext101_32x8d',    224,  88_791_336,   202_880,  16_414_015_488],
  ['resnext.effnet',            'resnext101_64x4d',    224,  83_455_272,   202_880,  15_460_270_080],
  ['resnext.effnet',            'wide_resnet50_2',     224,  68_883_240,   68_224,   11_398_021_120],
  ['resnext.effnet',            'wide_resnet101_2',    224,  126_886_696,  137_856,  22_753_050_624],
  ['regnet.effnet',             'regnet_x_400mf',      224,  5_495_976,    37_856,   413_812_608],
  ['regnet.effnet',             'regnet_x_800mf',      224,  7_259_656,    37_312,   799_699_712],
  ['regnet.effnet',             'regnet_x_1_6gf',      224,  9_190_136,    43_504,   1_602_849_792],
  ['regnet.effnet',             'regnet_x_3_2gf',      224,  15_296_552,   62_560,   3_176_621_952],
  ['regnet.effnet',             'regnet_x_8gf',        224,  39_572_648,   90_464,   7_995_132_416],
  ['regnet.effnet',             'regnet_x_16gf',       224,  54_278_536,   111_168,  15_940_755_456],
  ['regnet.effnet',             'regnet_x_32gf',       224,  107_811_560,  162_016,  31_735_929_792],
  ['regnet.effnet',             'regnet_y_400mf',      224,  4_344_144,    27_152,   401_842_848],
  ['regnet.effnet',             'regnet_y_800mf',      224,  6_432_512,    30_432,   833_856_256],
  ['regnet.effnet',             'regnet_y_1_6gf',      224,  11_202_430,   52_672,   1_612_076_160],
  ['regnet.effnet',             'regnet_y_3_2gf',      224,  19_436_338,   66_160,   3_176_482_752],
  ['regnet.effnet',             'regnet_y_8gf',        224,  39_381_472,   86_528,   8_473_070_592],
  ['regnet.effnet',             'regnet_y_16gf',       224,  83_590_140,   122_816,  15_911_510_272],
  ['regnet.effnet',             'regnet_y_32gf',       224,  145_046_770,  158_288,  32_279_552_832],
  ['regnet.effnet',             'regnet_y_128gf',      224,  644_812_894,  415_072,  127_517_815_680],
  ['convnext.effnet',           'convnext_tiny',       224,  28_589_128,   0,        4_455_531_264],
  ['convnext.effnet',           'convnext_small',      224,  50_223_688,   0,        8_683_712_256],
  ['convnext.effnet',           'convnext_base',       224,  88_591_464,   0,        15_354_729_472],
  ['convnext.effnet',           'convnext_large',      224,  197_767_336,  0,        34_361_433_600],
  ['densenet.effnet',           'densenet121',         224,  7_978_856,    83_648,   2_834_161_664],
  ['densenet.effnet',           'densenet161',         224,  28_681_000,   219_936,  7_727_907_072],
  ['densenet.effnet',           'densenet169',         224,  14_149_480,   158_400,  3_359_843_328],
  ['densenet.effnet',           'densenet201',         224,  20_013_928,   229_056,  4_291_365_888],
  ['shufflenet-v2.effnet',      'shufflenet_v2_x0_5',  224,  1_366_792,    7_952,    40_476_448],
  ['shufflenet-v2.effnet',      'shufflenet_v2_x1_0',  224,  2_278_604,    16_180,   144_907_992],
  ['shufflenet-v2.effnet',      'shufflenet_v2_x1_5',  224,  3_503_624,    23_440,   295_759_392],
  ['shufflenet-v2.effnet',      'shufflenet_v2_x2_0',  224,  7_393_996,    33_716,   583_253_464],
  ['mobilenet-v3-small.effnet', undefined,             224,  2_542_856,    12_112,   56_510_400],
  ['efficientnet-v2.effnet',    's',                   384,  21_458_488,   153_872,  8_365_617_152],
  ['efficientnet-v2.effnet',    'm',                   480,  54_139_356,   292_032,  24_582_460_384],
  ['efficientnet-v2.effnet',    'l',                   480,  118_515_272,  512_576,  56_079_699_008],
] as const;

describe('torchvision 0.14 figures of ResNeXt, Wide ResNet, RegNet, ConvNeXt, DenseNet, ShuffleNetV2, MobileNetV3-Small, EfficientNetV2', () => {
  it.each(table)('%s %s @%i: %i params, %i BN stats, %i MACs', (spec, variant, resolution, params, bnStats, macs) => {
    const c = compileSpec(spec, variant ? { variant } : {});
    expect(c.scaled.input.height).toBe(resolution);
    expect(c.report.total.params).toBe(params);
    expect(c.report.total.bnStats).toBe(bnStats);
    expect(Math.abs(c.report.total.macs - macs) / macs).toBeLessThan(0.005);
  });
});
