/**
 * torchvision checkpoints of the families written as user-defined blocks (ResNeXt and Wide ResNet, RegNet X
 * and Y, ConvNeXt, DenseNet, ShuffleNetV2) and of MobileNetV3-Small and EfficientNetV2-S: built by torchvision
 * here with random weights, random batch-norm and layer-norm parameters and logits of order 1
 * (torchvision-fixtures.py), saved with torch.save, compiled with --weights, and run on the same input as
 * torch in eval mode. ONNX for every family; TF.js too for ConvNeXt (layer norms, the Linear-as-1x1-conv
 * layout, the layer scale's [C, 1, 1]) and ResNeXt (grouped convs, TF.js's block-diagonal kernels).
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareOutputs } from '../../backends/agreement.js';
import { selectBackend } from '../../backends/tfjs/runtime/select-backend.js';
import { cli } from '../cli/run-cli.js';
import { specPath } from '../helpers.js';
import { familyModels, floats, SIZE, torchAvailable, torchvisionFixtures } from './fixtures.js';
import { ortLogits, tfjsLogits } from './run-logits.js';

let dir = '';
const work = mkdtempSync(path.join(tmpdir(), 'effnet-tv-families-'));

beforeAll(async () => {
  if (!torchAvailable) return;
  dir = await torchvisionFixtures(familyModels);
  await selectBackend('wasm');
}, 300_000);

const withTfjs = new Set(['resnext50_32x4d', 'convnext_tiny']);
const base = (spec: string, variant: string | undefined, checkpoint: string) => [specPath(spec), ...(variant ? ['--variant', variant] : []), '--input-size', String(SIZE), '--weights', path.join(dir, checkpoint)];

/** `effnet weights --json` of a model's checkpoint on its own spec and variant. */
async function mapping(model: string): Promise<{ ok: boolean; convention: string; layout: string; unused: string[]; tensors: { layer: string; role: string; key: string; shape: number[]; layout: string }[] }> {
  const [, spec, variant] = familyModels.find(([m]) => m === model)!;
  const r = await cli('weights', specPath(spec), path.join(dir, `${model}.pth`), ...(variant ? ['--variant', variant] : []), '--input-size', String(SIZE), '--json');
  expect(r.stderr).not.toMatch(/error:/);
  return JSON.parse(r.stdout);
}

describe.skipIf(!torchAvailable && !process.env.CI)("torchvision checkpoints of the newer families compute torch's logits", () => {
  it.each(familyModels)('%s (%s %s)', async (model, spec, variant) => {
    const input = floats(path.join(dir, `${model}.input.bin`));
    const want = floats(path.join(dir, `${model}.logits.bin`));
    const tfjs = withTfjs.has(model);
    const out = path.join(work, model);
    const built = await cli('compile', ...base(spec, variant, `${model}.pth`), '--target', tfjs ? 'all' : 'onnx', '-o', tfjs ? out : `${out}.onnx`);
    expect(built.code, built.stderr).toBe(0);
    const results: [string, Float32Array][] = [['ONNX', await ortLogits(tfjs ? path.join(out, 'model.onnx') : `${out}.onnx`, input, SIZE)]];
    if (tfjs) results.push(['TF.js (wasm)', await tfjsLogits(path.join(out, 'tfjs'), input, SIZE)]);
    for (const [what, got] of results) {
      const a = compareOutputs(got, want, 'cpu');
      console.log(`${model} ${what}: max|logit| ${a.scale.toPrecision(3)}, max abs diff ${a.maxAbsDifference.toExponential(2)}; ${a.summary}`);
      // Large enough for agreement to be evidence, and agreeing to 1e-4 of it.
      expect(a.scale, `${model} ${what}`).toBeGreaterThan(0.1);
      expect(a.ok, `${model} ${what}: ${a.summary}`).toBe(true);
    }
  });

  // [model, layer, tensor, torchvision key, its shape as stored, layout]: one row per kind of module.
  const rows: [string, string, string, string, number[], string][] = [
    ['resnext50_32x4d', 'stem_conv', 'kernel', 'conv1.weight', [64, 3, 7, 7], 'canonical'],
    ['resnext50_32x4d', 'block1a_conv2', 'kernel', 'layer1.0.conv2.weight', [128, 4, 3, 3], 'canonical'],
    ['resnext50_32x4d', 'block2a_conv3_bn', 'mean', 'layer2.0.bn3.running_mean', [512], 'canonical'],
    ['resnext50_32x4d', 'block1a_shortcut_conv', 'kernel', 'layer1.0.downsample.0.weight', [256, 64, 1, 1], 'canonical'],
    ['resnext50_32x4d', 'predictions', 'kernel', 'fc.weight', [1000, 2048], 'canonical'],
    ['regnet_y_400mf', 'stem_bn', 'variance', 'stem.1.running_var', [32], 'canonical'],
    ['regnet_y_400mf', 'block1a_b', 'kernel', 'trunk_output.block1.block1-0.f.b.0.weight', [48, 8, 3, 3], 'canonical'],
    ['regnet_y_400mf', 'block2b_se_reduce', 'bias', 'trunk_output.block2.block2-1.f.se.fc1.bias', [26], 'canonical'],
    ['regnet_y_400mf', 'block3a_shortcut_bn', 'gamma', 'trunk_output.block3.block3-0.proj.1.weight', [208], 'canonical'],
    ['convnext_tiny', 'stem_norm', 'gamma', 'features.0.1.weight', [96], 'canonical'],
    ['convnext_tiny', 'block1a_norm', 'beta', 'features.1.0.block.2.bias', [96], 'canonical'],
    ['convnext_tiny', 'block1b_pwconv1', 'kernel', 'features.1.1.block.3.weight', [384, 96], 'linear-as-conv-1x1'],
    ['convnext_tiny', 'block1b_pwconv2', 'bias', 'features.1.1.block.5.bias', [96], 'canonical'],
    ['convnext_tiny', 'block3c_layer_scale', 'scale', 'features.3.2.layer_scale', [192, 1, 1], 'vector-as-c11'],
    ['convnext_tiny', 'block4a_conv', 'kernel', 'features.4.1.weight', [384, 192, 2, 2], 'canonical'],
    ['convnext_tiny', 'top2_norm', 'gamma', 'classifier.0.weight', [768], 'canonical'],
    ['densenet121', 'stem_bn', 'mean', 'features.norm0.running_mean', [64], 'canonical'],
    ['densenet121', 'block1b_norm1', 'gamma', 'features.denseblock1.denselayer2.norm1.weight', [96], 'canonical'],
    ['densenet121', 'block3l_conv2', 'kernel', 'features.denseblock2.denselayer12.conv2.weight', [32, 128, 3, 3], 'canonical'],
    ['densenet121', 'block4a_conv', 'kernel', 'features.transition2.conv.weight', [256, 512, 1, 1], 'canonical'],
    ['densenet121', 'top_norm5', 'beta', 'features.norm5.bias', [1024], 'canonical'],
    ['shufflenet_v2_x1_0', 'block1a_branch1_dw', 'kernel', 'stage2.0.branch1.0.weight', [24, 1, 3, 3], 'canonical'],
    ['shufflenet_v2_x1_0', 'block2b_branch2_dw_bn', 'gamma', 'stage3.1.branch2.4.weight', [116], 'canonical'],
    ['shufflenet_v2_x1_0', 'top_conv', 'kernel', 'conv5.0.weight', [1024, 464, 1, 1], 'canonical'],
  ];
  it.each(rows)('%s: %s %s is %s', async (model, layer, tensor, key, shape, layout) => {
    const found = (await mapping(model)).tensors.find((t) => t.layer === layer && t.role === tensor);
    expect(found).toMatchObject({ key, shape, layout });
  });

  it.each([
    ['resnext50_32x4d', 'resnet'],
    ['wide_resnet50_2', 'resnet'],
    ['regnet_y_400mf', 'regnet'],
    ['regnet_x_400mf', 'regnet'],
    ['convnext_tiny', 'convnext'],
    ['densenet121', 'densenet'],
    ['shufflenet_v2_x1_0', 'shufflenet_v2'],
    ['mobilenet_v3_small', 'mobilenet_v3'],
    ['efficientnet_v2_s', 'efficientnet'],
  ])("%s's keys are read as torchvision (%s), every one used", async (model, layout) => {
    expect(await mapping(model)).toMatchObject({ ok: true, convention: 'torchvision', layout, unused: [] });
  });

  it.each([
    ['densenet121', 'densenet.effnet', 'densenet169', /densenet\.effnet:\d+:5: error\[E0701\]: block5y_norm1 needs its gamma \[1024\] from the checkpoint's 'features\.denseblock3\.denselayer25\.norm1\.weight', which the checkpoint does not have/],
    ['resnext50_32x4d', 'resnext.effnet', 'wide_resnet50_2', /resnext\.effnet:\d+:5: error\[E0702\]: block1a_conv2 wants its kernel as \[128, 128, 3, 3\], the checkpoint's layer1\.0\.conv2\.weight is \[128, 4, 3, 3\]/],
    ['regnet_y_400mf', 'regnet.effnet', 'regnet_x_400mf', /regnet\.effnet:\d+:5: error\[E0702\]: block1a_a wants its kernel as \[32, 32, 1, 1\], the checkpoint's trunk_output\.block1\.block1-0\.f\.a\.0\.weight is \[48, 32, 1, 1\]/],
  ])("%s's checkpoint given to %s's %s: a diagnostic at the row, exit 1, nothing written", async (model, spec, variant, message) => {
    const out = path.join(work, `${model}-as-${variant}.onnx`);
    const r = await cli('compile', ...base(spec, variant, `${model}.pth`), '-o', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    expect(existsSync(out)).toBe(false);
  });
});
