/** Class labels: the built-in ImageNet-1k names (torchvision 0.14's list) and --labels files. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classLabels, imagenetLabels, LABELS_FILE_LIMIT, readLabels } from '../../src/cli/class-labels.js';
import { UsageError } from '../../src/cli/io.js';

const dir = mkdtempSync(path.join(tmpdir(), 'effnet-labels-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string | Uint8Array) => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};

describe('built-in ImageNet-1k names', () => {
  // Checked against torchvision.models._meta._IMAGENET_CATEGORIES (torchvision 0.14.1) when the file was made.
  it.each([
    [0, 'tench'], [1, 'goldfish'], [207, 'golden retriever'], [281, 'tabby'], [282, 'tiger cat'], [409, 'analog clock'], [530, 'digital clock'], [999, 'toilet tissue'],
  ])('class %d is %s', async (index, name) => {
    expect((await imagenetLabels()).names[index]).toBe(name);
  });

  it('has 1000 distinct names and is used for 1000-class models only', async () => {
    const { names } = await imagenetLabels();
    expect(names).toHaveLength(1000);
    expect(new Set(names).size).toBe(1000);
    expect((await classLabels(undefined, 1000))?.source).toMatch(/ImageNet-1k/);
    expect(await classLabels(undefined, 10)).toBeUndefined();
  });
});

describe('--labels FILE', () => {
  it.each([
    ['LF', 'cat\ndog\nbird\n'],
    ['CRLF', 'cat\r\ndog\r\nbird\r\n'],
    ['no final newline', 'cat\ndog\nbird'],
    ['a byte-order mark and padding', '\uFEFFcat \n  dog\nbird\n'],
  ])('reads one name per line (%s)', (_what, content) => {
    expect(readLabels(file('l.txt', content), 3)).toEqual({ source: path.join(dir, 'l.txt'), names: ['cat', 'dog', 'bird'] });
  });

  it.each([
    ['too few names', 'cat\ndog\n', /has 2 names, but the model has 3 classes/],
    ['too many names', 'a\nb\nc\nd\n', /has 4 names, but the model has 3 classes/],
    ['an empty file', '', /has 0 names, but the model has 3 classes/],
    ['an empty line', 'cat\n\nbird\n', /line 2 is empty/],
    ['bytes that are not UTF-8', new Uint8Array([0x63, 0xff, 0x0a, 0x61, 0x0a, 0x62]), /not UTF-8 text/],
  ])('%s is a usage error', (_what, content, message) => {
    const p = file('bad.txt', content);
    expect(() => readLabels(p, 3)).toThrow(UsageError);
    expect(() => readLabels(p, 3)).toThrow(message);
  });

  it('is read bounded', () => {
    const p = file('huge.txt', new Uint8Array(LABELS_FILE_LIMIT + 1).fill(0x61));
    expect(() => readLabels(p, 3)).toThrow(/larger than 4 MiB/);
    expect(() => readLabels(path.join(dir, 'missing.txt'), 3)).toThrow(/no such file/);
  });
});
