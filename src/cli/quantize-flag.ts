/**
 * `--quantize MODE[:PATTERN,PATTERN...]`, repeatable: the weights stored quantized (backends/tfjs/quantize.ts).
 *
 *   --quantize uint8                                  every weight
 *   --quantize 'uint8:*kernel'                        the conv and dense kernels (depthwise ones too); the rest float32
 *   --quantize 'uint8:*kernel' --quantize float16     kernels uint8, every other weight float16
 *
 * Patterns are tfjs-converter's (fnmatch): `*` any characters, `/` included, `?` one; matched against the
 * weights manifest's names (`block2a_expand_conv/kernel`, `stem_bn/moving_variance`), comma-separated. A
 * mode without patterns takes every weight no other rule names, and only one rule may go without.
 */
import { quantizationModes, type QuantizationMode, type QuantizationRule } from '../../backends/tfjs/quantize.js';
import { UsageError } from './io.js';

export function parseQuantizeFlag(text: string): QuantizationRule {
  const colon = text.indexOf(':');
  const mode = (colon < 0 ? text : text.slice(0, colon)).trim();
  if (!quantizationModes.includes(mode as QuantizationMode)) {
    throw new UsageError(`--quantize expects ${quantizationModes.join(', ')}, optionally with :PATTERN[,PATTERN...] (e.g. 'uint8:*kernel'), got '${text}'`);
  }
  if (colon < 0) return { mode: mode as QuantizationMode };
  const patterns = text.slice(colon + 1).split(',').map((p) => p.trim());
  if (patterns.some((p) => p === '')) throw new UsageError(`--quantize ${mode}: has an empty pattern in '${text}': write 'uint8:*' for every weight, or leave out the colon`);
  return { mode: mode as QuantizationMode, patterns };
}

/** commander's collector for the repeatable flag: the texts, parsed (and refused) with the other flags. */
export const collectQuantize = (text: string, given: string[] = []): string[] => [...given, text];

/** One line for people: "uint8 (*kernel), float16 (the rest)". */
export function describeRules(rules: readonly QuantizationRule[]): string {
  return rules.map((r) => (r.patterns ? `${r.mode} (${r.patterns.join(', ')})` : rules.length > 1 ? `${r.mode} (the rest)` : r.mode)).join(', ');
}
