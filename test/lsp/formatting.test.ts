import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDocument } from '../../src/lsp/formatting.js';
import { cli } from '../cli/run-cli.js';
import { specText } from './lsp-helpers.js';

const messy = 'model m {\n input 32x32x3\n   classes 10 # ten\n\n\n  stages {\n mbconv 1 16 3 1 expand 1\n    mbconv 2 24 3 2   expand 6 se 0.25\n  }\n}\n';

describe('formatting', () => {
  it('gives one whole-document edit with the text effnet fmt prints', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'effnet-lsp-fmt-'));
    const file = path.join(dir, 'messy.effnet');
    writeFileSync(file, messy);
    const fmt = await cli('fmt', file);
    expect(fmt.code).toBe(0);
    const edits = formatDocument(file, messy)!;
    expect(edits).toHaveLength(1);
    expect(edits[0]!.newText).not.toBe(messy);
    // The CLI's capture ends every write with a newline, as the formatter's output already does.
    expect(edits[0]!.newText).toBe(fmt.stdout);
  });

  it.each(['efficientnet-b0.effnet', 'shufflenet-v2.effnet', 'convnext.effnet'])('leaves the formatted %s alone (no edits)', (name) => {
    expect(formatDocument(name, specText(name))).toEqual([]);
  });

  it.each([
    ['a file that does not parse', 'model m {\n  stages {\n    mbconv 1 16\n'],
    ['an empty file', ''],
  ])('refuses %s', (_what, text) => {
    expect(formatDocument('t.effnet', text)).toBeUndefined();
  });

  it('formats a file that parses but does not check (formatting needs only the syntax)', () => {
    const edits = formatDocument('t.effnet', messy.replace('mbconv 1 16', 'mbcnv 1 16'))!;
    expect(edits[0]!.newText).toContain('mbcnv');
  });
});
