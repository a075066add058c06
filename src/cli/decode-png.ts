/**
 * A small PNG decoder for `effnet run --input FILE.png`, on node:zlib alone so the CLI needs no image
 * dependency. Handles what photos and screenshots use: 8- and 16-bit greyscale, RGB, palette, grey+alpha and
 * RGBA, all five row filters; not Adam7 interlacing (re-save the image non-interlaced) nor sub-byte depths.
 * Output: RGB in [0, 1], row-major HWC; alpha is dropped (images are not composited).
 */
import { inflateSync } from 'node:zlib';

export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** [height, width, 3], values in [0, 1]. */
  readonly data: Float32Array;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export class PngError extends Error {}

export function decodePng(bytes: Uint8Array): RgbImage {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw new PngError('not a PNG file (bad signature)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0, height = 0, depth = 0, colorType = 0, interlace = 0;
  let palette: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  for (let at = 8; at + 8 <= bytes.length; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const body = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      depth = body[8]!;
      colorType = body[9]!;
      interlace = body[12]!;
    } else if (type === 'PLTE') palette = body;
    else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    at += 12 + length;
  }
  const channels = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[colorType];
  if (!width || !height || channels === undefined) throw new PngError('malformed PNG header');
  if (interlace) throw new PngError('interlaced PNGs are not supported; save the image without interlacing');
  if (depth !== 8 && depth !== 16) throw new PngError(`${depth}-bit PNGs are not supported (8 or 16 only)`);
  if (colorType === 3 && (!palette || depth !== 8)) throw new PngError('palette PNG without an 8-bit palette');

  const raw = inflateSync(Buffer.concat(idat));
  const bpp = (channels * depth) / 8; // bytes per pixel, the filters' unit
  const stride = width * bpp;
  if (raw.length < height * (stride + 1)) throw new PngError('truncated PNG image data');
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = pixels.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? row[i - bpp]! : 0;
      const b = up[i]!;
      const c = i >= bpp ? up[i - bpp]! : 0;
      let pred: number;
      switch (filter) {
        case 0: pred = 0; break;
        case 1: pred = a; break;
        case 2: pred = b; break;
        case 3: pred = (a + b) >> 1; break;
        case 4: {
          const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
          pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: throw new PngError(`bad PNG row filter ${filter}`);
      }
      row[i] = (src[i]! + pred) & 0xff;
    }
  }

  const data = new Float32Array(width * height * 3);
  const max = depth === 16 ? 65535 : 255;
  const sample = (p: number, ch: number) => (depth === 16 ? (pixels[(p * channels + ch) * 2]! << 8) | pixels[(p * channels + ch) * 2 + 1]! : pixels[p * channels + ch]!);
  for (let p = 0; p < width * height; p++) {
    for (let k = 0; k < 3; k++) {
      let v: number;
      if (colorType === 3) v = palette![sample(p, 0) * 3 + k]!;
      else if (channels <= 2) v = sample(p, 0); // grey (+ alpha)
      else v = sample(p, k);
      data[p * 3 + k] = v / (colorType === 3 ? 255 : max);
    }
  }
  return { width, height, data };
}

/** Bilinear resize (half-pixel centres, as tf.image.resizeBilinear with halfPixelCenters) of an HWC image. */
export function resizeBilinear(img: RgbImage, height: number, width: number): Float32Array {
  const out = new Float32Array(height * width * 3);
  const sy = img.height / height, sx = img.width / width;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), img.height - 1);
    const y0 = Math.floor(fy), y1 = Math.min(y0 + 1, img.height - 1), wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), img.width - 1);
      const x0 = Math.floor(fx), x1 = Math.min(x0 + 1, img.width - 1), wx = fx - x0;
      for (let k = 0; k < 3; k++) {
        const at = (yy: number, xx: number) => img.data[(yy * img.width + xx) * 3 + k]!;
        out[(y * width + x) * 3 + k] = (1 - wy) * ((1 - wx) * at(y0, x0) + wx * at(y0, x1)) + wy * ((1 - wx) * at(y1, x0) + wx * at(y1, x1));
      }
    }
  }
  return out;
}
