/**
 * Just enough of the protobuf wire format to stream a message whose bulk is raw bytes. A message is a
 * concatenation of fields (tag, then value), so an outer message can be written as: small fields encoded
 * normally, then a length-delimited field whose length we compute up front and whose bytes we produce later.
 */

/** Wire type 2: length-delimited (strings, bytes, embedded messages). */
const LEN = 2;

/** Bytes a varint takes. Lengths may pass 2^31 (external-data offsets), so no 32-bit bitwise math. */
export function varintSize(value: number): number {
  let n = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

export function encodeVarint(value: number): Uint8Array {
  const out = new Uint8Array(varintSize(value));
  let i = 0;
  while (value >= 128) {
    out[i++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  out[i] = value;
  return out;
}

/** The tag and length prefix of a length-delimited field: what precedes `length` bytes of content. */
export function lengthPrefix(field: number, length: number): Uint8Array {
  const tag = encodeVarint(field * 8 + LEN);
  const len = encodeVarint(length);
  const out = new Uint8Array(tag.length + len.length);
  out.set(tag, 0);
  out.set(len, tag.length);
  return out;
}

/** Total size of a length-delimited field with `length` bytes of content. */
export function lengthDelimitedSize(field: number, length: number): number {
  return varintSize(field * 8 + LEN) + varintSize(length) + length;
}
