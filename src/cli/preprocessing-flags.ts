/**
 * Which preprocessing `effnet run` applies to an image, and where it came from. The base is, in order: the
 * preset given with --preprocess, the one the model records in its metadata, or the default ('none': today's
 * stretch to the input, RGB in [0, 1]). --resize, --crop, --interpolation, --mean and --std then replace
 * single fields of it. The result is checked against the model: the crop is the model's input size, and it
 * must fit inside the resized image.
 */
import { Option, type Command } from 'commander';
import {
  cropProblem,
  interpolations,
  MAX_PREPROCESS_SIDE,
  presetNames,
  presetPreprocessing,
  type Interpolation,
  type PresetName,
  type Preprocessing,
  type Rgb,
} from '../../backends/preprocessing.js';
import { UsageError } from './io.js';
import { SHARP_RESAMPLING } from './preprocess-image.js';

export interface PreprocessingFlags {
  preprocess?: PresetName;
  resize?: string;
  crop?: string;
  interpolation?: Interpolation;
  mean?: string;
  std?: string;
}

/** The flags that replace one field each, as commander names them. */
const FIELD_FLAGS = ['resize', 'crop', 'interpolation', 'mean', 'std'] as const;

export function addPreprocessingFlags(command: Command): Command {
  return command
    .addOption(new Option('--preprocess <preset>', "torchvision (resize input/0.875, centre crop, ImageNet mean/std), keras (stretch, [-1, 1]) or none (stretch, [0, 1]); default: the model's own, else none").choices(presetNames))
    .option('--resize <px>', "resize the image's shorter side to PX, keeping its aspect ratio, before the centre crop ('stretch': straight to the crop size)")
    .option('--crop <px>', "the centre crop, PX or HxW (default and only accepted value: the model's input size)")
    .addOption(new Option('--interpolation <name>', 'resampling filter, done by sharp').choices(interpolations))
    .option('--mean <r,g,b>', 'per-channel mean subtracted from RGB scaled to [0, 1]')
    .option('--std <r,g,b>', 'per-channel standard deviation the result is divided by');
}

/** The preprocessing flags given on the command line, as they were typed (--preprocess, --mean, ...). */
export function givenPreprocessingFlags(command: Command): string[] {
  return ['preprocess', ...FIELD_FLAGS].filter((n) => command.getOptionValueSource(n) === 'cli').map((n) => `--${n}`);
}

export type PreprocessingSource = 'flag' | 'model metadata' | 'default';

export interface ResolvedPreprocessing {
  readonly preprocessing: Preprocessing;
  /** Where the base came from: --preprocess, the model's metadata, or the default ('none'). */
  readonly source: PreprocessingSource;
  /** The flags that replaced fields of the base (--resize, --mean, ...). */
  readonly overrides: readonly string[];
}

function side(text: string, flag: string): number {
  const v = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || v < 1 || v > MAX_PREPROCESS_SIDE) throw new UsageError(`${flag} expects a whole number of pixels from 1 to ${MAX_PREPROCESS_SIDE}, got '${text}'`);
  return v;
}

function parseCrop(text: string): [number, number] {
  const m = /^\s*(\d+)\s*(?:[x×]\s*(\d+)\s*)?$/i.exec(text);
  if (!m) throw new UsageError(`--crop expects PX or HxW in pixels (224, or 224x192), got '${text}'`);
  const h = side(m[1]!, '--crop');
  return [h, m[2] !== undefined ? side(m[2], '--crop') : h];
}

function parseRgb(text: string, flag: '--mean' | '--std'): Rgb {
  const parts = text.split(',').map((s) => s.trim());
  const values = parts.map((s) => (s === '' ? NaN : Number(s)));
  if (parts.length !== 3 || !values.every(Number.isFinite)) {
    throw new UsageError(`${flag} expects three numbers R,G,B for RGB scaled to [0, 1] (ImageNet's: ${flag === '--mean' ? '0.485,0.456,0.406' : '0.229,0.224,0.225'}), got '${text}'${parts.length !== 3 ? ` (${parts.length} value${parts.length === 1 ? '' : 's'})` : ''}`);
  }
  if (flag === '--std' && !values.every((v) => v > 0)) throw new UsageError(`--std values divide the image, so each must be above 0, got '${text}'`);
  if (flag === '--mean' && !values.every((v) => v >= 0 && v <= 1)) {
    throw new UsageError(`--mean is subtracted from RGB scaled to [0, 1], so each value lies in [0, 1], got '${text}'${values.some((v) => v > 1) ? ' (means of 0-255 pixels divide by 255: 123.68 is 0.485)' : ''}`);
  }
  return [values[0]!, values[1]!, values[2]!];
}

export function resolvePreprocessing(flags: PreprocessingFlags, recorded: Preprocessing | undefined, [height, width]: readonly [number, number]): ResolvedPreprocessing {
  let base: Preprocessing;
  let source: PreprocessingSource;
  if (flags.preprocess !== undefined) {
    base = presetPreprocessing(flags.preprocess, height, width);
    source = 'flag';
  } else if (recorded !== undefined) {
    base = recorded;
    source = 'model metadata';
  } else {
    base = presetPreprocessing('none', height, width);
    source = 'default';
  }
  const overrides: string[] = [];
  const p: { -readonly [K in keyof Preprocessing]: Preprocessing[K] } = { ...base };
  if (flags.resize !== undefined) {
    p.resize = flags.resize.trim() === 'stretch' ? 'stretch' : side(flags.resize, '--resize');
    overrides.push('--resize');
  }
  if (flags.crop !== undefined) {
    p.crop = parseCrop(flags.crop);
    overrides.push('--crop');
  }
  if (flags.interpolation !== undefined) {
    p.interpolation = flags.interpolation;
    overrides.push('--interpolation');
  }
  if (flags.mean !== undefined) {
    p.mean = parseRgb(flags.mean, '--mean');
    overrides.push('--mean');
  }
  if (flags.std !== undefined) {
    p.std = parseRgb(flags.std, '--std');
    overrides.push('--std');
  }
  const problem = cropProblem(p);
  if (problem) {
    const from = flags.crop !== undefined && flags.resize !== undefined ? `--crop ${flags.crop} is larger than --resize ${flags.resize}` : problem;
    throw new UsageError(`${from}: the centre crop must fit inside the resized image${flags.crop === undefined ? ` (the crop is the model's input, ${p.crop[0]}x${p.crop[1]})` : ''}`);
  }
  if (p.crop[0] !== height || p.crop[1] !== width) {
    const what = flags.crop !== undefined ? `--crop ${flags.crop}` : `the ${source === 'model metadata' ? "model's metadata" : 'preset'}'s crop ${p.crop[0]}x${p.crop[1]}`;
    throw new UsageError(`${what} does not match the model's input, ${height}x${width}: the crop is what the model takes`);
  }
  return { preprocessing: p, source, overrides };
}

const list = (v: Rgb) => `[${v.join(', ')}]`;

/** One line: the preset and where it came from, then exactly what is done. */
export function describePreprocessing({ preprocessing: p, source, overrides }: ResolvedPreprocessing): string {
  const from = source === 'flag' ? 'from --preprocess' : source === 'model metadata' ? "from the model's metadata" : 'the default';
  const changed = overrides.length ? `; ${overrides.join(', ')} from flags` : '';
  const geometry = p.resize === 'stretch' ? `stretched to ${p.crop[0]}x${p.crop[1]}` : `shorter side resized to ${p.resize} px, centre crop ${p.crop[0]}x${p.crop[1]}`;
  const plain = p.mean.every((m) => m === 0) && p.std.every((s) => s === 1);
  const normalise = plain ? 'RGB in [0, 1], no mean/std normalisation' : `(RGB in [0, 1] - mean ${list(p.mean)}) / std ${list(p.std)}`;
  return `${p.preset ?? 'custom'} (${from}${changed}): ${geometry}, ${p.interpolation} (${SHARP_RESAMPLING[p.interpolation]}), ${normalise}`;
}

/** The JSON form: the record plus where it came from and the sharp operation used. */
export function preprocessingJson({ preprocessing: p, source, overrides }: ResolvedPreprocessing): object {
  return { source, overrides, ...p, sharp: SHARP_RESAMPLING[p.interpolation] };
}
