import { describe, expect, it } from 'vitest';
import { activations } from '../../src/ir/activations.js';
import { statementOpNames } from '../../src/ir/block-ops.js';
import { operatorNames, operators } from '../../src/ir/ops.js';
import { completionsAt, declaredBlocks, pendingOption, sectionAt } from '../../src/lsp/completion.js';
import { specText } from './lsp-helpers.js';

const CURSOR = '|';
/** The labels offered where `|` is in the text (the bar itself removed). */
function labels(textWithCursor: string): string[] {
  const offset = textWithCursor.indexOf(CURSOR);
  if (offset < 0) throw new Error('no cursor');
  return completionsAt(textWithCursor.replace(CURSOR, ''), offset).map((c) => c.label);
}

const model = (body: string) => `model m {\n  input 32x32x3\n  classes 10\n${body}\n}\n`;
const withBlock = (body: string) => model(`  block unit(channels, ratio = 4) {\n    conv channels channels kernel 1\n  }\n${body}`);

describe('completion', () => {
  it.each([
    ['a stage row\'s first word', model('  stages {\n    |\n  }'), [...operatorNames], ['expand', 'input']],
    ['a partly typed operator', model('  stages {\n    mbc|\n  }'), ['mbconv', 'conv'], []],
    ['user-defined blocks as operators', withBlock('  stages {\n    |\n  }'), ['unit', 'mbconv'], []],
    ['options after the fields of a row', model('  stages {\n    mbconv 2 24 3 2 |\n  }'), [...operators.mbconv.options], ['groups', 'pad', 'channels']],
    ['options not yet written', model('  stages {\n    mbconv 2 24 3 2 expand 6 |\n  }'), ['se', 'act'], ['expand']],
    ['a user block row: its parameters that are not fields, and first', withBlock('  stages {\n    unit 2 24 - 2 |\n  }'), ['ratio', 'first', 'width', 'depth'], ['channels', 'expand']],
    ['activations after act', model('  stages {\n    conv 1 16 3 1 act |\n  }'), [...activations], ['expand']],
    ['values of an enum option', model('  stages {\n    mbconv 1 16 3 1 se_gate |\n  }'), ['sigmoid', 'hard_sigmoid'], ['relu']],
    ['blocks after first', withBlock('  stages {\n    unit 2 24 - 2 first |\n  }'), ['unit'], ['mbconv']],
    ['a stem layer takes its fields as options', model('  stem conv |'), ['channels', 'kernel', 'stride', 'groups'], ['expand']],
    ['the layers of a stem block', model('  stem {\n    dwconv |\n  }'), ['kernel', 'stride', 'bias'], ['channels']],
    ['settings and sections in the model', model('  |'), ['input', 'classes', 'activation', 'norm', 'padding', 'drop_connect', 'stem', 'stages', 'head', 'classifier', 'scaling', 'variants', 'params', 'block'], ['mbconv']],
    ['the model activation', model('  activation |'), [...activations], ['input']],
    ['padding', model('  padding |'), ['same', 'symmetric'], ['valid']],
    ['a block statement', withBlock('  block b(channels) {\n    |\n  }'), [...statementOpNames, 'let', 'unit'], ['mbconv']],
    ['after targets and =', withBlock('  block b(channels) {\n    left, x = |\n  }'), ['split', 'conv'], ['let']],
    ['a statement\'s options', model('  block b(channels) {\n    conv channels 8 |\n  }'), ['kernel', 'groups', 'stride', 'from', 'as'], ['channels']],
    ['a statement\'s expression value', model('  block b(channels) {\n    conv channels channels / |\n  }'), ['min', 'round', 'divisible'], ['kernel']],
    ['scaling settings', model('  scaling {\n    |\n  }'), ['alpha', 'beta', 'gamma', 'divisor'], ['input']],
    ['variant options and model params', model('  params {\n    growth 32\n  }\n  variants {\n    big |\n  }'), ['width', 'depth', 'phi', 'growth'], ['alpha']],
    ['the model keyword at the top', '|', ['model'], []],
  ])('%s', (_what, text, include, exclude) => {
    const got = labels(text);
    for (const l of include) expect(got, l).toContain(l);
    for (const l of exclude) expect(got, l).not.toContain(l);
  });

  it.each([
    ['in a comment', model('  stages {\n    # mbconv |\n  }')],
    ['inside params', model('  params {\n    |\n  }')],
    ['a variant name', model('  variants {\n    |\n  }')],
    ['after a numeric option', model('  stages {\n    mbconv 1 16 3 1 expand |\n  }')],
  ])('nothing %s', (_what, text) => {
    expect(labels(text)).toEqual([]);
  });

  it('gives each item its doc from the compiler\'s tables', () => {
    const text = model('  stages {\n    \n  }');
    const items = completionsAt(text, text.indexOf('    \n') + 4);
    expect(items.find((i) => i.label === 'dwsep')!.detail).toBe(operators.dwsep.summary);
  });

  it('works on the shipped specs: the blocks of ShuffleNet, and their rows', () => {
    const text = specText('shufflenet-v2.effnet');
    expect(declaredBlocks(text)).toEqual([{ name: 'shuffle_down', params: ['channels', 'stride'] }, { name: 'shuffle_unit', params: ['channels'] }]);
    const row = '    shuffle_unit  8  232  -  2  ';
    expect(completionsAt(text, text.indexOf(row) + row.length).map((c) => c.label)).toEqual(['first', 'width', 'depth']);
  });

  it.each([
    ['model m {\n  stages {\n    ', 'stages'],
    ['model m {\n  stages {\n  }\n  ', 'model'],
    ['model m {\n  # stages {\n  ', 'model'],
    ['model m {\n  block b(c) {\n    ', 'block'],
    ['', 'file'],
  ])('section of %j is %s', (text, section) => {
    expect(sectionAt(text, text.length)).toBe(section);
  });

  it.each([
    [['conv', 'act'], 'act'],
    [['conv', 'act', 'relu'], undefined],
    [['conv', 'channels', 'channels'], undefined],
    [['conv', 'channels', 'channels', '/'], 'channels'],
    [['conv', 'kernel', '3', 'stride'], 'stride'],
  ])('pending option of %j is %s', (words, expected) => {
    expect(pendingOption(words, ['act', 'channels', 'kernel', 'stride'])).toBe(expected);
  });
});
