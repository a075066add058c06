/** A half-open range of UTF-16 offsets into one source file. */
export interface Span {
  readonly file: string;
  /** Offset of the first character. */
  readonly start: number;
  /** Offset one past the last character; equal to `start` for an empty span. */
  readonly end: number;
}

/** The smallest span that covers both `a` and `b` (same file assumed). */
export function joinSpans(a: Span, b: Span): Span {
  return { file: a.file, start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}

/** A zero-width span, for things that exist only implicitly (defaults, generated blocks). */
export function emptySpan(file: string, at = 0): Span {
  return { file, start: at, end: at };
}
