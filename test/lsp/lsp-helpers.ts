/** Reading specs and finding positions in them for the language-server tests. */
import { readFileSync } from 'node:fs';
import { specPath } from '../helpers.js';

export const specText = (name: string) => readFileSync(specPath(name), 'utf8');

/** The offset of `needle` in `text` plus `delta`; fails when the needle is missing, so a test cannot pass vacuously. */
export function offsetOf(text: string, needle: string, delta = 0): number {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`'${needle}' is not in the text`);
  return i + delta;
}
