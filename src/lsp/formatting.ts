/**
 * Formatting through `effnet fmt`'s formatter: the whole document as one edit, none when it is already
 * formatted, and a refusal (undefined) when the text does not parse, so a half-typed file is left alone.
 */
import { formatSource } from '../format/format-spec.js';
import { decodeSource } from '../source/decode.js';

export interface WholeEdit {
  /** The formatted text, to replace the document from its first character to its last. */
  readonly newText: string;
}

export function formatDocument(name: string, text: string): WholeEdit[] | undefined {
  const decoded = decodeSource(name, new TextEncoder().encode(text));
  if (!decoded.value) return undefined;
  const formatted = formatSource(decoded.value);
  if (formatted.value === undefined) return undefined;
  return formatted.value === decoded.file.text ? [] : [{ newText: formatted.value }];
}
