/**
 * Reads an ONNX file's metadata_props without decoding the model. onnx-proto (protobufjs) decodes whole
 * buffers only, and a model file may be 2 GiB of graph and initializers, so this is a small hand-written
 * scanner over the ModelProto's top-level fields: it reads each field's tag and length, jumps over the graph
 * (field 7) and every other field without reading their bytes, and decodes only metadata_props (field 14,
 * StringStringEntryProto { key = 1, value = 2 }). The file is read through a window of at most 64 KiB at a
 * time, so the memory used is bounded by the metadata, itself bounded, whatever the model's size. Protobuf
 * allows fields in any order; effnet writes the metadata before the graph, torch.onnx.export after it.
 */

/** Fills `buffer` from the file's bytes at `position`; returns how many it read (fewer only at the end). */
export type ReadAt = (buffer: Uint8Array, position: number) => number;

/** ModelProto.metadata_props, and StringStringEntryProto's key and value. */
const METADATA_PROPS_FIELD = 14;
const ENTRY_KEY_FIELD = 1;
const ENTRY_VALUE_FIELD = 2;

/** The read window: the most bytes held at once apart from the metadata entries themselves. */
const WINDOW = 64 * 1024;
/** One metadata entry (key and value), and all of them together: effnet's are a few hundred bytes each. */
export const MAX_METADATA_ENTRY = 1024 * 1024;
export const MAX_METADATA_TOTAL = 16 * 1024 * 1024;

/** A file that is not a well-formed ModelProto as far as the scanner reads it. */
export class MetadataScanError extends Error {}

/** A cursor over the file that reads it window by window and can jump without reading. */
class Cursor {
  private window = new Uint8Array(0);
  private windowStart = 0;
  position = 0;

  constructor(private readonly readAt: ReadAt, readonly size: number) {}

  byte(): number {
    const at = this.position - this.windowStart;
    if (at < 0 || at >= this.window.length) {
      if (this.position >= this.size) throw new MetadataScanError(`the file ends inside a field, at byte ${this.position}`);
      const buf = new Uint8Array(Math.min(WINDOW, this.size - this.position));
      const n = this.readAt(buf, this.position);
      if (n <= 0) throw new MetadataScanError(`the file ends at byte ${this.position}, before its length of ${this.size} bytes`);
      this.window = buf.subarray(0, n);
      this.windowStart = this.position;
    }
    return this.window[this.position++ - this.windowStart]!;
  }

  /** A varint as a Number: exact up to 2^53, far past any length or offset in a file. */
  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 128;
    }
    throw new MetadataScanError(`a varint at byte ${this.position - 10} runs past 10 bytes`);
  }

  skip(n: number): void {
    if (n > this.size - this.position) throw new MetadataScanError(`a field at byte ${this.position} claims ${n} bytes, past the end of the file`);
    this.position += n;
  }

  bytes(n: number): Uint8Array {
    if (n > this.size - this.position) throw new MetadataScanError(`a field at byte ${this.position} claims ${n} bytes, past the end of the file`);
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const inWindow = this.position - this.windowStart;
      if (inWindow >= 0 && inWindow < this.window.length) {
        const take = Math.min(n - at, this.window.length - inWindow);
        out.set(this.window.subarray(inWindow, inWindow + take), at);
        at += take;
        this.position += take;
      } else {
        out[at++] = this.byte();
      }
    }
    return out;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes one StringStringEntryProto, held in memory (it is bounded by MAX_METADATA_ENTRY). */
function decodeEntry(bytes: Uint8Array): { key: string; value: string } {
  const c = new Cursor((buf, pos) => {
    buf.set(bytes.subarray(pos, pos + buf.length));
    return Math.min(buf.length, bytes.length - pos);
  }, bytes.length);
  let key = '';
  let value = '';
  while (c.position < c.size) {
    const tag = c.varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === 2) {
      const text = c.bytes(c.varint());
      let s: string;
      try {
        s = utf8.decode(text);
      } catch {
        throw new MetadataScanError('a metadata entry is not valid UTF-8');
      }
      if (field === ENTRY_KEY_FIELD) key = s;
      else if (field === ENTRY_VALUE_FIELD) value = s;
    } else skipValue(c, wire);
  }
  return { key, value };
}

function skipValue(c: Cursor, wire: number): void {
  switch (wire) {
    case 0:
      c.varint();
      return;
    case 1:
      c.skip(8);
      return;
    case 2:
      c.skip(c.varint());
      return;
    case 5:
      c.skip(4);
      return;
    default:
      // Groups (3, 4) are not in ONNX's schema; 6 and 7 do not exist.
      throw new MetadataScanError(`wire type ${wire} at byte ${c.position}, which no ONNX message uses: not an ONNX model`);
  }
}

/** metadata_props as a map (a key given twice keeps its last value, as protobuf's map semantics do). */
export function scanMetadataProps(readAt: ReadAt, size: number): Map<string, string> {
  const c = new Cursor(readAt, size);
  const props = new Map<string, string>();
  let total = 0;
  while (c.position < size) {
    const tag = c.varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field === 0) throw new MetadataScanError(`field number 0 at byte ${c.position}: not an ONNX model`);
    if (field === METADATA_PROPS_FIELD && wire === 2) {
      const length = c.varint();
      if (length > MAX_METADATA_ENTRY) throw new MetadataScanError(`a metadata entry of ${length} bytes, more than the ${MAX_METADATA_ENTRY} effnet reads`);
      total += length;
      if (total > MAX_METADATA_TOTAL) throw new MetadataScanError(`more than ${MAX_METADATA_TOTAL} bytes of metadata, the most effnet reads`);
      const { key, value } = decodeEntry(c.bytes(length));
      props.set(key, value);
    } else skipValue(c, wire);
  }
  return props;
}
