/**
 * Applying a Preprocessing record (backends/preprocessing.ts) to a decoded RGB image, the way torchvision's
 * evaluation transforms do it: Resize (shorter side to N, the longer to floor(N * long / short)), CenterCrop
 * (offsets rounded as Python's round() does, half to even), ToTensor (/ 255) and Normalize ((x - mean) / std).
 * The resampling is sharp's (libvips); which sharp operation each interpolation uses, and why:
 *
 * - bilinear, shrinking an axis: sharp `resize` with kernel 'linear' (libvips reduce, a triangle filter
 *   widened by the scale factor: antialiased, as PIL's resize is). Past 4x libvips first box-shrinks by an
 *   integer factor (vips_resize's default gap of 2), so large reductions differ from PIL more.
 * - bicubic, shrinking: the same with kernel 'cubic' (Catmull-Rom, a = -0.5, PIL's BICUBIC).
 * - bilinear or bicubic, enlarging an axis: sharp `affine` with interpolator 'bilinear' or 'bicubic', offset
 *   by half a pixel (idx, odx) so pixel centres line up as in PIL; libvips's own upsizing aligns pixel corners
 *   instead, which measured 7/255 off PIL. The edges are extended by copying first, as PIL clamps.
 * - nearest, either way: sharp `affine` with interpolator 'nearest' and the same half-pixel offset, which picks
 *   pixel floor((x + 0.5) * in / out) exactly as PIL does. resize's kernel 'nearest' picks other pixels from
 *   4x on, where libvips first shrinks by an integer factor.
 */
import type { Sharp, SharpOptions } from 'sharp';
import type { Interpolation, Preprocessing } from '../../backends/preprocessing.js';

type SharpModule = (input: Buffer | Uint8Array, options?: SharpOptions) => Sharp;

/** The sharp operation behind each interpolation name, as effnet run and the README state it. */
export const SHARP_RESAMPLING: Readonly<Record<Interpolation, string>> = {
  bilinear: "sharp resize kernel 'linear' to shrink, affine interpolator 'bilinear' to enlarge",
  bicubic: "sharp resize kernel 'cubic' to shrink, affine interpolator 'bicubic' to enlarge",
  nearest: "sharp affine interpolator 'nearest'",
};

const KERNEL = { bilinear: 'linear', bicubic: 'cubic' } as const;

/** An RGB image, 8 bits per channel, rows top to bottom ([height, width, 3]). */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;
}

/** Python's round(): halves go to the even neighbour (torchvision's CenterCrop rounds its offsets with it). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d !== 0.5) return Math.round(x);
  return f % 2 === 0 ? f : f + 1;
}

/** The size the image is resized to before the crop: torchvision's Resize(int) arithmetic, or the crop when stretching. */
export function resizedSize(width: number, height: number, p: Pick<Preprocessing, 'resize' | 'crop'>): { width: number; height: number } {
  if (p.resize === 'stretch') return { width: p.crop[1], height: p.crop[0] };
  // torchvision: new_short, new_long = size, int(size * long / short), the product first, truncated.
  if (width <= height) return { width: p.resize, height: Math.floor((p.resize * height) / width) };
  return { width: Math.floor((p.resize * width) / height), height: p.resize };
}

/** Where the centre crop starts: int(round((size - crop) / 2.0)), as torchvision's center_crop computes it. */
export const centreCropOffset = (size: number, crop: number): number => roundHalfEven((size - crop) / 2);

const raw = (sharp: SharpModule, img: RgbImage) => sharp(img.rgb, { raw: { width: img.width, height: img.height, channels: 3 } });

/** The first `width` x `height` pixels of an affine's output, whose canvas is the transformed bounding box. */
function topLeft(data: Buffer, canvasWidth: number, canvasHeight: number, width: number, height: number): RgbImage {
  if (canvasWidth < width || canvasHeight < height) throw new Error(`internal: sharp affine gave ${canvasWidth}x${canvasHeight}, expected at least ${width}x${height}`);
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) rgb.set(data.subarray(y * canvasWidth * 3, (y * canvasWidth + width) * 3), y * width * 3);
  return { width, height, rgb };
}

/**
 * Half-pixel-centred scaling by affine: output pixel X samples input x = (X + 0.5) * in / out - 0.5 (for
 * nearest, floor((X + 0.5) * in / out)). libvips maps input to output as X = a * (x + idx) + odx.
 */
async function affineScale(sharp: SharpModule, img: RgbImage, width: number, height: number, interpolation: Interpolation): Promise<RgbImage> {
  const sx = width / img.width;
  const sy = height / img.height;
  let source = img;
  // Room for the interpolator's window past the edges (bicubic reads two pixels out), filled by copying.
  const pad = interpolation === 'nearest' ? 0 : 3;
  const padX = sx !== 1 ? pad : 0;
  const padY = sy !== 1 ? pad : 0;
  if (padX || padY) {
    const extended = await raw(sharp, img).extend({ left: padX, right: padX, top: padY, bottom: padY, extendWith: 'copy' }).raw().toBuffer();
    source = { width: img.width + 2 * padX, height: img.height + 2 * padY, rgb: extended };
  }
  // An axis left at scale 1 (the other one grows) maps pixel to pixel: no offset, no padding.
  const offset = (scale: number, padding: number) => (scale === 1 ? { i: 0, o: 0 } : { i: (interpolation === 'nearest' ? 0 : 0.5) - padding, o: -0.5 });
  const ox = offset(sx, padX);
  const oy = offset(sy, padY);
  const { data, info } = await raw(sharp, source)
    .affine([sx, 0, 0, sy], { idx: ox.i, idy: oy.i, odx: ox.o, ody: oy.o, interpolator: interpolation })
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`internal: sharp affine gave ${info.channels} channels`);
  return topLeft(data, info.width, info.height, width, height);
}

/** One axis: antialiased reduce to shrink, half-pixel-centred affine to enlarge. */
async function resampleAxis(sharp: SharpModule, img: RgbImage, width: number, height: number, interpolation: 'bilinear' | 'bicubic'): Promise<RgbImage> {
  if (width < img.width || height < img.height) {
    const rgb = await raw(sharp, img).resize(width, height, { fit: 'fill', kernel: KERNEL[interpolation] }).raw().toBuffer();
    return { width, height, rgb };
  }
  return affineScale(sharp, img, width, height, interpolation);
}

/** Resamples to width x height with the named filter (see the file comment for which sharp operation). */
export async function resample(sharp: SharpModule, img: RgbImage, width: number, height: number, interpolation: Interpolation): Promise<RgbImage> {
  if (width === img.width && height === img.height) return img;
  if (interpolation === 'nearest') return affineScale(sharp, img, width, height, 'nearest');
  // One axis at a time, horizontal first, each pass rounded to 8 bits: the order in which PIL resamples. It
  // matters where a cubic overshoots: both libraries clip between the passes.
  let out = img;
  if (width !== out.width) out = await resampleAxis(sharp, out, width, out.height, interpolation);
  if (height !== out.height) out = await resampleAxis(sharp, out, out.width, height, interpolation);
  return out;
}

/** Resize, centre crop and normalise: [crop height, crop width, 3] floats, channels last. */
export async function preprocess(sharp: SharpModule, img: RgbImage, p: Preprocessing): Promise<Float32Array> {
  const size = resizedSize(img.width, img.height, p);
  const resized = await resample(sharp, img, size.width, size.height, p.interpolation);
  const [ch, cw] = p.crop;
  const top = centreCropOffset(resized.height, ch);
  const left = centreCropOffset(resized.width, cw);
  if (top < 0 || left < 0) throw new Error(`internal: the crop ${ch}x${cw} does not fit the resized ${resized.width}x${resized.height} image`);
  const out = new Float32Array(ch * cw * 3);
  const { mean, std } = p;
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      const from = ((y + top) * resized.width + x + left) * 3;
      const to = (y * cw + x) * 3;
      for (let c = 0; c < 3; c++) out[to + c] = (resized.rgb[from + c]! / 255 - mean[c]!) / std[c]!;
    }
  }
  return out;
}
