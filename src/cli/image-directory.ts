/**
 * A directory of images for `effnet run --input DIR`: every JPEG, PNG and WebP file directly inside it (by
 * extension, case-insensitively; subdirectories are not searched), sorted by name so results come in the same
 * order on every machine, and at most MAX_DIRECTORY_IMAGES of them, counted before any is read.
 */
import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { reasonOf } from './output/fs-errors.js';
import { UsageError } from './io.js';

/** The most images one run classifies; a larger set is better split (or served by a real pipeline). */
export const MAX_DIRECTORY_IMAGES = 4096;
/** The most directory entries looked at: a directory this large is not an image folder for effnet. */
const MAX_DIRECTORY_ENTRIES = 100_000;

export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(['.jpg', '.jpeg', '.png', '.webp']);

/** Code-point order, the same whatever the locale (localeCompare is not). */
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function listImages(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read the directory ${dir}: ${reasonOf(code) ?? code ?? String(e)}`);
  }
  if (names.length > MAX_DIRECTORY_ENTRIES) throw new UsageError(`${dir} holds ${names.length.toLocaleString('en-US')} entries, more than effnet run looks through (${MAX_DIRECTORY_ENTRIES.toLocaleString('en-US')})`);
  const images = names.filter((n) => IMAGE_EXTENSIONS.has(extname(n).toLowerCase())).sort(byName);
  if (images.length > MAX_DIRECTORY_IMAGES) {
    throw new UsageError(`${dir} holds ${images.length.toLocaleString('en-US')} images, more than the ${MAX_DIRECTORY_IMAGES.toLocaleString('en-US')} one effnet run classifies; split them into smaller directories`);
  }
  // A directory (or a broken link) named like an image is not one; statSync follows links to files.
  const files = images.map((n) => join(dir, n)).filter((p) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  });
  if (files.length === 0) throw new UsageError(`${dir} holds no JPEG, PNG or WebP images (files ending .jpg, .jpeg, .png or .webp)`);
  return files;
}
