import { describe, expect, it } from 'vitest';
import { offsetToPosition, positionMap, positionToOffset, spanToRange } from '../../src/lsp/positions.js';
import { makeSourceFile } from '../../src/source/source-file.js';

const mapOf = (text: string) => positionMap(makeSourceFile('t.effnet', text), text);

describe('offsets and LSP positions', () => {
  it.each([
    // text, offset, line, character (0-based, as LSP counts)
    ['ab\ncd', 0, 0, 0],
    ['ab\ncd', 2, 0, 2],
    ['ab\ncd', 3, 1, 0],
    ['ab\ncd', 5, 1, 2],
    ['ab\r\ncd', 4, 1, 0],
    ['ab\rcd', 3, 1, 0],
    ['a\n\nb', 2, 1, 0],
    ['é\u{1F600}x', 3, 0, 3],
  ])('%j offset %i is line %i character %i', (text, offset, line, character) => {
    const map = mapOf(text);
    expect(offsetToPosition(map, offset)).toEqual({ line, character });
    expect(positionToOffset(map, { line, character })).toBe(offset);
  });

  it.each([
    ['ab\ncd', 0, 99, 2],
    ['ab\r\ncd', 0, 99, 2],
    ['ab\ncd', 7, 0, 5],
    ['ab\ncd', -1, 3, 0],
  ])('%j clamps line %i character %i to offset %i', (text, line, character, offset) => {
    expect(positionToOffset(mapOf(text), { line, character })).toBe(offset);
  });

  it('counts the editor\'s byte-order mark, which the compiler drops, on the first line only', () => {
    const editor = '\ufeffab\ncd';
    const map = positionMap(makeSourceFile('t.effnet', 'ab\ncd'), editor);
    expect(map.shift).toBe(1);
    expect(offsetToPosition(map, 1)).toEqual({ line: 0, character: 2 });
    expect(offsetToPosition(map, 4)).toEqual({ line: 1, character: 1 });
    expect(positionToOffset(map, { line: 0, character: 2 })).toBe(1);
    expect(spanToRange(map, { file: 't', start: 0, end: 2 })).toEqual({ start: { line: 0, character: 1 }, end: { line: 0, character: 3 } });
  });
});
