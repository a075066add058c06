import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/lsp/analysis.js';
import { definitionAt } from '../../src/lsp/definition.js';
import { offsetOf, specText } from './lsp-helpers.js';

/** The text a definition lands on, from a use found by needle (plus delta). */
function target(spec: string, needle: string, delta: number): string | undefined {
  const text = specText(spec);
  const ast = analyze('untitled:t', text).compilation.parsed!.ast;
  const span = definitionAt(ast, offsetOf(text, needle, delta));
  return span && `${span.start}:${text.slice(span.start, span.end)}`;
}

const at = (spec: string, needle: string, delta = 0) => `${offsetOf(specText(spec), needle, delta)}:`;

describe('go to definition', () => {
  it.each([
    ["a stage row's block", 'shufflenet-v2.effnet', '    shuffle_unit  4', 5, 'block shuffle_unit', 6, 'shuffle_unit'],
    ["a row's first block", 'shufflenet-v2.effnet', 'first shuffle_down', 8, 'block shuffle_down', 6, 'shuffle_down'],
    ['a ConvNeXt stage row', 'convnext.effnet', '    convnext_block', 6, 'block convnext_block', 6, 'convnext_block'],
    ['a ConvNeXt stem layer', 'convnext.effnet', 'stem patchify', 6, 'block patchify', 6, 'patchify'],
    ['a block parameter in an expression', 'shufflenet-v2.effnet', 'channels channels / 2', 10, 'shuffle_down(channels', 13, 'channels'],
    ['a model param', 'shufflenet-v2.effnet', 'conv channels last', 15, 'last  1024', 0, 'last  1024'],
    ['a let', 'regnet.effnet', 'groups w / g', 11, 'let g', 4, 'g'],
    ['a let used by a let', 'regnet.effnet', 'divisible(channels, g)', 20, 'let g', 4, 'g'],
  ])('%s', (_what, spec, use, delta, def, defDelta, text) => {
    expect(target(spec, use, delta)).toBe(at(spec, def, defDelta) + text);
  });

  it.each([
    ['a built-in operator', 'efficientnet-b0.effnet', 'mbconv  1  16', 1],
    ['a number', 'efficientnet-b0.effnet', 'mbconv  1  16', 12],
    ['a comment', 'shufflenet-v2.effnet', '# A stage', 3],
  ])('nothing for %s', (_what, spec, use, delta) => {
    expect(target(spec, use, delta)).toBeUndefined();
  });
});
