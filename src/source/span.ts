/** A half-open range of UTF-16 offsets into one source file. */
export interface Span {
  readonly file: string;
  /** Offset of the first character. */
  readonly start: number;
  /** Offset one past the last character; equal to `start` for an empty span. */
  readonly end: number;
}
