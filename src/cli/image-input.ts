/**
 * Images for `effnet run --input`: JPEG, PNG and WebP decoded by sharp (libvips), a maintained library, not
 * by hand. An image is bounded before it is decoded: the file by size, the picture by its pixel count
 * (sharp's own default admits 16384 x 16384, 268 MP, which decodes to gigabytes), and a malformed file
 * (truncated, bad compression, no image data, a palette index out of range) is a clear error, never NaN
 * logits or an internal error.
 */
import { importOptional } from '../../backends/optional-package.js';
import { presetPreprocessing, type Preprocessing } from '../../backends/preprocessing.js';
import { preprocess, type RgbImage } from './preprocess-image.js';
import { UsageError } from './io.js';
import { readInput } from './read-input.js';

/** The largest image file effnet reads. */
export const IMAGE_FILE_LIMIT = 64 * 1024 * 1024;
/** The most pixels an image may have (a 48 MP phone photo is 8000 x 6000). */
export const MAX_IMAGE_PIXELS = 50_000_000;

const FORMATS = new Set(['jpeg', 'png', 'webp']);

export interface LoadedImage {
  /** The image as decoded, before preprocessing. */
  readonly width: number;
  readonly height: number;
  readonly format: string;
  /** [height, width, 3] of the preprocessed image (resized, cropped, normalised), channels last. */
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

/** The decoded image, before any preprocessing. */
export interface DecodedImage extends RgbImage {
  readonly format: string;
}

const sharpModule = async () => (await importOptional('sharp', 'reading images (effnet run --input)', () => import('sharp'))).default;

/** Decodes an image file to 8-bit RGB: EXIF orientation applied, alpha dropped (as PIL's convert('RGB') does). */
export async function decodeImage(path: string): Promise<DecodedImage> {
  const bytes = readInput(path, IMAGE_FILE_LIMIT, 'image');
  const sharp = await sharpModule();
  const cannot = (why: string) => new UsageError(`cannot read ${path} as an image: ${why}`);
  try {
    // failOn 'error': a truncated or corrupt file is refused rather than decoded in part.
    const image = sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error' });
    const meta = await image.metadata();
    if (!meta.format || !FORMATS.has(meta.format)) throw cannot(`it is ${meta.format ? `a ${meta.format.toUpperCase()} file` : 'not an image'}; effnet reads JPEG, PNG and WebP`);
    await checkPaletteIndices(bytes, cannot);
    // Decoded whole, without resizing: resampling is a separate step (preprocess-image.ts), so that sharp's
    // shrink-on-load (JPEG DCT scaling) and alpha premultiplication never change the pixels it filters.
    const { data, info } = await image
      .rotate() // the orientation the camera recorded (EXIF), as viewers show it
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || data.length !== info.width * info.height * 3) throw cannot(`decoded to ${info.channels} channels`);
    return { width: info.width, height: info.height, format: meta.format, rgb: data };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const message = (e as Error).message ?? String(e);
    if (/pixel limit/i.test(message)) throw cannot(`it has more than ${MAX_IMAGE_PIXELS.toLocaleString('en-US')} pixels, the most effnet decodes; resize it first`);
    if (/unsupported image format/i.test(message)) throw cannot('it is not a JPEG, PNG or WebP image');
    throw cannot(message.split('\n')[0]!.replace(/^(Input (buffer|file) )/, ''));
  }
}

/**
 * Decodes an image file and preprocesses it (default: stretched to height x width, bilinear, RGB in [0, 1]):
 * [crop height, crop width, 3] floats.
 */
export async function loadImage(path: string, height: number, width: number, preprocessing: Preprocessing = presetPreprocessing('none', height, width)): Promise<LoadedImage> {
  const image = await decodeImage(path);
  const data = await preprocess(await sharpModule(), image, preprocessing);
  return { width: image.width, height: image.height, format: image.format, data };
}
