/**
 * Class names for `effnet run`: a labels file given with --labels (one name per line, read bounded, and its
 * count must equal the model's classes), or the ImageNet-1k names built in, used by default when the model
 * has 1000 outputs. The built-in names are torchvision's (imagenet-classes.json says where they came from),
 * loaded only when they are used.
 */
import { UsageError } from './io.js';
import { readInput } from './read-input.js';

/** The largest labels file read: ImageNet-21k's 21,843 names take about 500 KB. */
export const LABELS_FILE_LIMIT = 4 * 1024 * 1024;

export interface ClassLabels {
  /** Where the names came from: the labels file's path, or the built-in set. */
  readonly source: string;
  readonly names: readonly string[];
}

export const IMAGENET_CLASSES = 1000;
export const BUILTIN_IMAGENET_SOURCE = 'built-in ImageNet-1k class names (torchvision)';

export async function imagenetLabels(): Promise<ClassLabels> {
  const data = (await import('./imagenet-classes.json', { with: { type: 'json' } })).default;
  return { source: BUILTIN_IMAGENET_SOURCE, names: data.classes };
}

/** A labels file's names: one per line (LF or CRLF; a final newline is optional), none empty. */
export function readLabels(path: string, classes: number): ClassLabels {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(readInput(path, LABELS_FILE_LIMIT, 'labels file'));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`--labels ${path}: the file is not UTF-8 text`);
  }
  const lines = text.replace(/^\uFEFF/, '').replace(/\r?\n$/, '').split(/\r?\n/);
  const names = text === '' ? [] : lines.map((l) => l.trim());
  const empty = names.findIndex((n) => n === '');
  if (empty >= 0) throw new UsageError(`--labels ${path}: line ${empty + 1} is empty; the file holds one class name per line`);
  if (names.length !== classes) {
    throw new UsageError(`--labels ${path} has ${names.length} name${names.length === 1 ? '' : 's'}, but the model has ${classes} classes: the file must hold one name per line, one line per class, in class-index order`);
  }
  return { source: path, names };
}

/** The labels to print: --labels when given, else the ImageNet names for a 1000-class model, else none. */
export async function classLabels(labelsFile: string | undefined, classes: number): Promise<ClassLabels | undefined> {
  if (labelsFile !== undefined) return readLabels(labelsFile, classes);
  return classes === IMAGENET_CLASSES ? imagenetLabels() : undefined;
}
