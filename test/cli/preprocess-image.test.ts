/**
 * effnet run's preprocessing (src/cli/preprocess-image.ts, resampled by sharp) against torchvision.transforms
 * run by Debian's python3 (torchvision 0.14, PIL 9.4) on the same files: Resize(256, interpolation) +
 * CenterCrop(224) + ToTensor + Normalize(ImageNet mean, std). Differences are reported in 8-bit levels, i.e.
 * |ours - torchvision| * 255 * std[channel], the unit both libraries round to.
 *
 * Measured on these images (max and mean over every value of the 3x224x224 tensor):
 *   bilinear: at most 2 levels (1 on the gradient and when enlarging), mean 0.002 to 0.26 levels (in
 *             normalised units: max 0.035, mean at most 0.0045);
 *   bicubic:  at most 2 levels when shrinking, 5 enlarging pure noise (libvips's bicubic interpolator against
 *             PIL's cubic convolution, where a cubic overshoots most), mean at most 0.78 levels;
 *   nearest:  identical (0).
 * Two levels come from rounding: each library resamples in fixed point and rounds to 8 bits after each axis,
 * and where a filter tap sits half-way the two round apart; JPEG decoding (PIL's libjpeg-turbo and sharp's
 * mozjpeg share the IDCT) added nothing here. The tolerances are these measurements plus one level, which
 * still catches any real mistake: a crop one pixel off is 20+ levels on these images, and a wrong mean or
 * std is off everywhere. Reductions past 4x differ more (libvips box-shrinks first; see the README).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGENET_MEAN, IMAGENET_STD, presetPreprocessing, type Interpolation, type Preprocessing } from '../../backends/preprocessing.js';
import { loadImage } from '../../src/cli/image-input.js';
import { centreCropOffset, resizedSize, roundHalfEven } from '../../src/cli/preprocess-image.js';
import { writeImage, type Pattern } from './test-images.js';

const python = '/usr/bin/python3';
const torchvisionMissing: string | undefined = (() => {
  if (!existsSync(python)) return `${python} does not exist`;
  try {
    execFileSync(python, ['-c', 'import torchvision, PIL'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return `${python} cannot import torchvision (apt-get install python3-torchvision)`;
  }
})();
if (torchvisionMissing) console.warn(`preprocessing is not compared with torchvision: ${torchvisionMissing}`);

describe('torchvision geometry', () => {
  it.each([
    [0.5, 0], [1.5, 2], [2.5, 2], [58.5, 58], [17.5, 18], [16.4, 16], [16.6, 17], [3.5, 4],
  ])('roundHalfEven(%d) = %d, as Python rounds', (x, r) => expect(roundHalfEven(x)).toBe(r));

  it.each([
    [500, 375, 256, 341, 256], [375, 500, 256, 256, 341], [100, 130, 256, 256, 332], [640, 480, 256, 341, 256], [257, 256, 256, 257, 256], [300, 300, 256, 256, 256],
  ])('Resize(%#): %dx%d to %d gives %dx%d (the longer side truncated)', (w, h, r, ew, eh) => {
    expect(resizedSize(w, h, { resize: r, crop: [224, 224] })).toEqual({ width: ew, height: eh });
  });

  it.each([
    [341, 224, 58], [256, 224, 16], [257, 224, 16], [259, 224, 18], [224, 224, 0],
  ])('CenterCrop: from %d to %d starts at %d', (size, crop, offset) => expect(centreCropOffset(size, crop)).toBe(offset));

  it('stretch resizes to the crop', () => {
    expect(resizedSize(500, 375, presetPreprocessing('none', 64, 48))).toEqual({ width: 48, height: 64 });
  });
});

interface Case {
  readonly file: string;
  readonly pattern: Pattern;
  readonly width: number;
  readonly height: number;
}

const images: readonly Case[] = [
  { file: 'gradient-500x375.png', pattern: 'gradient', width: 500, height: 375 },
  { file: 'noise-375x500.png', pattern: 'noise', width: 375, height: 500 },
  { file: 'wave-500x375.jpg', pattern: 'wave', width: 500, height: 375 },
  { file: 'noise-640x480.jpg', pattern: 'noise', width: 640, height: 480 },
  // Shorter side 100: Resize(256) enlarges it.
  { file: 'noise-100x130.png', pattern: 'noise', width: 100, height: 130 },
  { file: 'wave-160x120.png', pattern: 'wave', width: 160, height: 120 },
];

/** [interpolation, max levels, mean levels] allowed: the measurements above plus one level (max). */
const tolerances: readonly [Interpolation, number, number][] = [
  ['bilinear', 3, 0.5],
  ['bicubic', 6, 1],
  ['nearest', 0, 0],
];

const reference = `
import json, sys
import numpy as np
from PIL import Image
from torchvision import transforms as T
modes = {'bilinear': T.InterpolationMode.BILINEAR, 'bicubic': T.InterpolationMode.BICUBIC, 'nearest': T.InterpolationMode.NEAREST}
for file, interpolation, resize, crop, out in json.loads(sys.argv[1]):
    t = T.Compose([T.Resize(resize, interpolation=modes[interpolation]), T.CenterCrop(crop), T.ToTensor(),
                   T.Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))])
    with Image.open(file) as im:
        t(im.convert('RGB')).numpy().astype(np.float32).tofile(out)
`;

describe.skipIf(torchvisionMissing !== undefined)('preprocessing against torchvision.transforms (Resize 256, CenterCrop 224, ToTensor, Normalize)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'effnet-preprocess-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const refPath = (c: Case, interpolation: Interpolation) => path.join(dir, `${c.file}.${interpolation}.f32`);

  beforeAll(async () => {
    for (const c of images) await writeImage(dir, c.file, c.pattern, c.width, c.height);
    const jobs = images.flatMap((c) => tolerances.map(([interpolation]) => [path.join(dir, c.file), interpolation, 256, 224, refPath(c, interpolation)]));
    execFileSync(python, ['-c', reference, JSON.stringify(jobs)], { stdio: ['ignore', 'ignore', 'inherit'] });
  }, 120_000);

  const measured: string[] = [];
  afterAll(() => console.log(`max and mean |effnet - torchvision| in 8-bit levels:\n${measured.join('\n')}`));

  const cases = tolerances.flatMap(([interpolation, maxLevels, meanLevels]) => images.map((c) => [c.file, interpolation, maxLevels, meanLevels, c] as const));
  it.each(cases)('%s, %s: within %d levels (mean %d)', async (_file, interpolation, maxLevels, meanLevels, c) => {
    const p: Preprocessing = { resize: 256, crop: [224, 224], interpolation, mean: IMAGENET_MEAN, std: IMAGENET_STD };
    const ours = (await loadImage(path.join(dir, c.file), 224, 224, p)).data; // HWC
    const theirs = new Float32Array(new Uint8Array(readFileSync(refPath(c, interpolation))).buffer); // CHW
    expect(theirs.length).toBe(ours.length);
    let max = 0;
    let sum = 0;
    for (let ch = 0; ch < 3; ch++) {
      for (let i = 0; i < 224 * 224; i++) {
        const levels = Math.abs(ours[i * 3 + ch]! - theirs[ch * 224 * 224 + i]!) * 255 * IMAGENET_STD[ch]!;
        max = Math.max(max, levels);
        sum += levels;
      }
    }
    const mean = sum / ours.length;
    measured.push(`  ${c.file.padEnd(22)} ${interpolation.padEnd(8)} max ${max.toFixed(2)}  mean ${mean.toFixed(3)}`);
    // float32 arithmetic on both sides leaves about 1e-4 of a level.
    expect(max).toBeLessThanOrEqual(maxLevels + 1e-3);
    expect(mean).toBeLessThanOrEqual(meanLevels + 1e-3);
  });

  it('a one-pixel crop offset would fail the tolerance: the comparison can tell', async () => {
    const c = images[2]!;
    const file = path.join(dir, c.file);
    const ours = (await loadImage(file, 224, 225, { resize: 256, crop: [224, 225], interpolation: 'bilinear', mean: IMAGENET_MEAN, std: IMAGENET_STD })).data;
    const theirs = new Float32Array(new Uint8Array(readFileSync(refPath(c, 'bilinear'))).buffer);
    let max = 0;
    for (let y = 0; y < 224; y++) for (let x = 0; x < 224; x++) max = Math.max(max, Math.abs(ours[(y * 225 + x + 1) * 3]! - theirs[y * 224 + x]!) * 255 * IMAGENET_STD[0]);
    expect(max).toBeGreaterThan(10);
  });
});

// A check that needs no Python: a flat image stays flat through every filter, enlarged or shrunk.
describe('flat images stay flat', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'effnet-preprocess-flat-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it.each(['bilinear', 'bicubic', 'nearest'] as const)('%s', async (interpolation) => {
    const file = path.join(dir, 'flat.png');
    const sharp = (await import('sharp')).default;
    writeFileSync(file, await sharp({ create: { width: 30, height: 70, channels: 3, background: { r: 10, g: 128, b: 250 } } }).png().toBuffer());
    for (const p of [{ resize: 64, crop: [48, 48] as const }, { resize: 20, crop: [20, 20] as const }, { resize: 'stretch' as const, crop: [90, 12] as const }]) {
      const img = await loadImage(file, p.crop[0], p.crop[1], { ...p, interpolation, mean: [0, 0, 0], std: [1, 1, 1] });
      const values = new Set(Array.from(img.data, (v, i) => `${i % 3}:${Math.round(v * 255)}`));
      expect([...values].sort()).toEqual(['0:10', '1:128', '2:250']);
    }
  });
});
