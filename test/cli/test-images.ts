/** Test images made by sharp during the test run (nothing committed): gradients, noise and waves, any size. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

export type Pattern = 'gradient' | 'noise' | 'wave';

/** mulberry32: noise that does not repeat within an image, the same on every run. */
function noise(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) & 255;
  };
}

/** RGB pixels of a pattern: a gradient per channel, uniform noise, or a smooth 2-D wave. */
export function pattern(kind: Pattern, width: number, height: number, seed = 1): Buffer {
  const px = Buffer.alloc(width * height * 3);
  const rnd = noise(seed);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        const i = (y * width + x) * 3 + c;
        if (kind === 'noise') px[i] = rnd();
        else if (kind === 'gradient') px[i] = Math.round(255 * (c === 0 ? x / (width - 1) : c === 1 ? y / (height - 1) : (x + y) / (width + height - 2)));
        else px[i] = Math.round(127.5 + 127.5 * Math.sin(x / 7 + c) * Math.cos(y / 5 - c));
      }
    }
  }
  return px;
}

/** Writes `name` (its extension picks PNG, JPEG at quality 90, or lossless WebP) into dir; returns the path. */
export async function writeImage(dir: string, name: string, kind: Pattern, width: number, height: number, seed = 1): Promise<string> {
  const image = sharp(pattern(kind, width, height, seed), { raw: { width, height, channels: 3 } });
  const ext = path.extname(name).toLowerCase();
  const bytes = ext === '.png' ? await image.png().toBuffer() : ext === '.webp' ? await image.webp({ lossless: true }).toBuffer() : await image.jpeg({ quality: 90 }).toBuffer();
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}
