/**
 * Images for `effnet run --input`: JPEG, PNG and WebP decoded by sharp (libvips), a maintained library, not
 * by hand. An image is bounded before it is decoded: the file by size, the picture by its pixel count
 * (sharp's own default admits 16384 x 16384, 268 MP, which decodes to gigabytes), and a malformed file
 * (truncated, bad compression, no image data, a palette index out of range) is a clear error, never NaN
 * logits or an internal error.
 */
import { importOptional } from '../../backends/optional-package.js';
import { UsageError } from './io.js';
import { readInput } from './read-input.js';

/** The largest image file effnet reads. */
export const IMAGE_FILE_LIMIT = 64 * 1024 * 1024;
/** The most pixels an image may have (a 48 MP phone photo is 8000 x 6000). */
export const MAX_IMAGE_PIXELS = 50_000_000;

const FORMATS = new Set(['jpeg', 'png', 'webp']);

export interface LoadedImage {
  readonly width: number;
  readonly height: number;
  readonly format: string;
  /** [height, width, 3] of the resized image, RGB in [0, 1]. */
  readonly data: Float32Array;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** IHDR's colour type byte: signature 8, chunk length 4, 'IHDR' 4, width 4, height 4, bit depth 1. */
const PNG_COLOUR_TYPE_OFFSET = 25;

/**
 * libvips decodes a palette index past the palette's end as black, as browsers show it; the PNG standard
 * calls such a file an error, and a model fed silently altered pixels is worse than a refusal. pngjs checks
 * every index, so palette PNGs (small, as a rule) are read by it once before libvips decodes them.
 */
async function checkPaletteIndices(bytes: Uint8Array, cannot: (why: string) => Error): Promise<void> {
  const isPng = PNG_SIGNATURE.every((b, i) => bytes[i] === b);
  if (!isPng || bytes[PNG_COLOUR_TYPE_OFFSET] !== 3) return;
  const { PNG } = (await import('pngjs')).default;
  try {
    PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw cannot((e as Error).message);
  }
}

/** Decodes an image file and resizes it to height x width (bilinear), RGB scaled to [0, 1]. */
export async function loadImage(path: string, height: number, width: number): Promise<LoadedImage> {
  const bytes = readInput(path, IMAGE_FILE_LIMIT, 'image');
  const sharp = (await importOptional('sharp', 'reading images (effnet run --input)', () => import('sharp'))).default;
  const cannot = (why: string) => new UsageError(`cannot read ${path} as an image: ${why}`);
  try {
    // failOn 'error': a truncated or corrupt file is refused rather than decoded in part.
    const image = sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error' });
    const meta = await image.metadata();
    if (!meta.format || !FORMATS.has(meta.format)) throw cannot(`it is ${meta.format ? `a ${meta.format.toUpperCase()} file` : 'not an image'}; effnet reads JPEG, PNG and WebP`);
    await checkPaletteIndices(bytes, cannot);
    const { data, info } = await image
      .rotate() // the orientation the camera recorded (EXIF), as viewers show it
      .removeAlpha()
      .toColourspace('srgb')
      .resize(width, height, { fit: 'fill', kernel: 'linear' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || data.length !== width * height * 3) throw cannot(`decoded to ${info.channels} channels`);
    const out = new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = data[i]! / 255;
    return { width: meta.width ?? 0, height: meta.height ?? 0, format: meta.format, data: out };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const message = (e as Error).message ?? String(e);
    if (/pixel limit/i.test(message)) throw cannot(`it has more than ${MAX_IMAGE_PIXELS.toLocaleString('en-US')} pixels, the most effnet decodes; resize it first`);
    if (/unsupported image format/i.test(message)) throw cannot('it is not a JPEG, PNG or WebP image');
    throw cannot(message.split('\n')[0]!.replace(/^(Input (buffer|file) )/, ''));
  }
}
