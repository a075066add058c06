import { describe, expect, it } from 'vitest';
import { activationDocs } from '../../src/ir/activations.js';
import { functions } from '../../src/ir/expressions.js';
import { optionDocs } from '../../src/ir/ops.js';
import { operators } from '../../src/ir/ops.js';
import { analyze } from '../../src/lsp/analysis.js';
import { hoverAt } from '../../src/lsp/hover.js';
import { count, shapeText, si, withSeparators } from '../../src/report/units.js';
import { offsetOf, specText } from './lsp-helpers.js';

const b0 = specText('efficientnet-b0.effnet');
const b0a = analyze('file:///specs/efficientnet-b0.effnet', b0);
const stageLines = b0.split('\n').filter((l) => /^ {4}mbconv /.test(l));

const hover = (text: string, offset: number, a = analyze('untitled:t', text)) => hoverAt(a.compilation, offset);

describe('hover on what the report costs', () => {
  it('finds the seven stage rows of B0', () => expect(stageLines).toHaveLength(7));

  it.each(stageLines.map((line, i) => [i + 1, line] as const))("stage%i's row shows the report's params, MACs and shape for that stage", (n, line) => {
    const stage = b0a.compilation.report!.stages.find((s) => s.key === `stage${n}`)!;
    const h = hoverAt(b0a.compilation, offsetOf(b0, line, 6))!;
    expect(h.contents).toContain(`**stage${n}`);
    expect(h.contents).toContain(`params ${withSeparators(stage.cost.params)} (${si(stage.cost.params)})`);
    expect(h.contents).toContain(`MACs ${withSeparators(stage.cost.macs)} (${count(stage.cost.macs)})`);
    expect(h.contents).toContain(`output ${shapeText(stage.shape)}`);
    // On the operator, its doc comes first; the range is the operator's.
    expect(h.contents.startsWith(`**mbconv**: ${operators.mbconv.summary}`)).toBe(true);
    expect(h.span.end - h.span.start).toBe('mbconv'.length);
  });

  it('on a field of a row, the figures alone, over the whole row', () => {
    const line = stageLines[2]!;
    const h = hoverAt(b0a.compilation, offsetOf(b0, line, line.indexOf('40') + 1))!;
    expect(h.contents).toMatch(/^\*\*stage3 \(2 blocks, block3a to block3b\)\*\*: output 28x28x40 · params 46,640/);
    expect(b0.slice(h.span.start, h.span.end)).toBe(line.trim());
  });

  it("lists each block of a short stage with the report's per-block figures", () => {
    const blocks = b0a.compilation.report!.blocks;
    const h = hoverAt(b0a.compilation, offsetOf(b0, stageLines[3]!, 6))!.contents.split('\n');
    const expected = ['block4a', 'block4b', 'block4c'].map((key) => {
      const b = blocks.find((x) => x.key === key)!;
      return `- ${key}: output ${shapeText(b.shape)} · params ${withSeparators(b.cost.params)} (${si(b.cost.params)}) · MACs ${withSeparators(b.cost.macs)} (${count(b.cost.macs)})`;
    });
    expect(h.slice(-3)).toEqual(expected);
    // A one-block stage has no list: its total is its block.
    expect(hoverAt(b0a.compilation, offsetOf(b0, stageLines[0]!, 6))!.contents.split('\n').filter((l) => l.startsWith('- '))).toEqual([]);
  });

  it('a stem layer, the head and the classifier', () => {
    const report = b0a.compilation.report!;
    const stem = report.stages.find((s) => s.key === 'stem')!;
    expect(hoverAt(b0a.compilation, offsetOf(b0, 'stem conv', 5))!.contents).toContain(`**stem**: output ${shapeText(stem.shape)} · params ${withSeparators(stem.cost.params)}`);
    const head = report.stages.find((s) => s.key === 'head')!;
    expect(hoverAt(b0a.compilation, offsetOf(b0, 'head conv', 5))!.contents).toContain(`**head (top)**: output ${shapeText(head.shape)} · params ${withSeparators(head.cost.params)}`);
    const cls = report.stages.find((s) => s.key === 'classifier')!;
    expect(hoverAt(b0a.compilation, offsetOf(b0, '  classifier dropout', 3))!.contents).toBe(`**classifier**: output 1000 · params ${withSeparators(cls.cost.params)} (${si(cls.cost.params)}) · MACs ${withSeparators(cls.cost.macs)} (${count(cls.cost.macs)})`);
  });

  it('each layer of a stem block on its own', () => {
    const text = specText('shufflenet-v2.effnet');
    const a = analyze('untitled:s', text);
    const conv = hover(text, offsetOf(text, 'conv channels 24', 1), a)!.contents;
    const pool = hover(text, offsetOf(text, 'maxpool kernel 3', 1), a)!.contents;
    expect(conv).toContain('output 112x112x24 · params 696');
    expect(pool).toContain('output 56x56x24 · params 0');
  });

  it('a row of a user-defined block, with the block it names', () => {
    const text = specText('shufflenet-v2.effnet');
    const a = analyze('untitled:s', text);
    const stage2 = a.compilation.report!.stages.find((s) => s.key === 'stage2')!;
    const h = hover(text, offsetOf(text, 'shuffle_unit  8', 2), a)!.contents;
    expect(h).toContain('**block shuffle_unit(channels)**: user-defined, 6 statements');
    expect(h).toContain(`**stage2 (8 blocks, block2a to block2h)**: output ${shapeText(stage2.shape)} · params ${withSeparators(stage2.cost.params)}`);
    expect(h).toContain('- block2h: ');
    expect(hover(text, offsetOf(text, 'block shuffle_down', 7), a)!.contents).toContain('used by stage1, stage2, stage3');
  });

  it('no figures when the spec does not compile, but the docs still', () => {
    const text = b0.replace('mbconv  1  320  3  1  expand 6 se 0.25', 'mbconv  1  320  3  1  expand 6 se 2');
    const a = analyze('untitled:t', text);
    expect(a.compilation.report).toBeUndefined();
    expect(hover(text, offsetOf(text, stageLines[1]!, 6), a)!.contents).toBe(`**mbconv**: ${operators.mbconv.summary}`);
    expect(hover(text, offsetOf(text, stageLines[1]!, 16), a)).toBeUndefined();
  });
});

describe('hover on names', () => {
  it.each([
    ['an option', 'expand 6', 1, `**expand**: ${optionDocs.expand}`],
    ['an activation setting', 'activation    swish', 15, `**swish**: ${activationDocs.swish}`],
    ['an option value', 'se 0.25', 0, `**se**: ${optionDocs.se}`],
  ])('%s', (_what, needle, delta, expected) => {
    expect(hover(b0, offsetOf(b0, needle, delta), b0a)!.contents.startsWith(expected)).toBe(true);
  });

  it('a function, a block parameter and a model param', () => {
    const regnet = specText('regnet.effnet');
    expect(hover(regnet, offsetOf(regnet, 'min(group_width', 1))!.contents).toBe(`**min()**: ${functions.min!.doc}`);
    const shuffle = specText('shufflenet-v2.effnet');
    expect(hover(shuffle, offsetOf(shuffle, 'channels channels / 2', 10))!.contents).toBe('**channels**: a parameter of block shuffle_down(channels, stride)');
    expect(hover(shuffle, offsetOf(shuffle, 'channels last', 10))!.contents).toBe('**last**: a model param = 1024');
  });

  it('an alias names its canonical activation', () => {
    const text = b0.replace('activation    swish', 'activation    silu');
    expect(hover(text, offsetOf(text, 'silu', 1))!.contents).toBe(`**silu**: ${activationDocs.swish} (the same as swish)`);
  });

  it.each([
    ['a comment', '# EfficientNet-B0', 3],
    ['the model keyword', 'model efficientnet-b0', 2],
    ['a blank line', '\n\n  stem', 1],
  ])('nothing on %s', (_what, needle, delta) => {
    expect(hover(b0, offsetOf(b0, needle, delta), b0a)).toBeUndefined();
  });

  it('nothing, and no throw, for a file that does not parse', () => {
    expect(hover('model m {', 3)).toBeUndefined();
  });
});
