/**
 * safetensors (huggingface/safetensors): a u64 little-endian header length N, N bytes of UTF-8 JSON
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}`, then the raw
 * little-endian, row-major data; offsets are relative to the end of the header.
 *
 * Only the header is read at open. Every number in it is checked before it is used, with the rules of the
 * format's README and of its reference reader (safetensors/src/tensor.rs, `Metadata::validate`):
 *   - a header of at most 100,000,000 bytes (the reference's MAX_HEADER_SIZE), refused before it is read;
 *   - the JSON opens with `{` and may be padded with trailing spaces; keys are not repeated;
 *   - each byte range is as long as its shape and dtype need, and inside the data section;
 *   - sorted by offset, the ranges tile the data section exactly: no overlap, and no holes or trailing bytes.
 *     The spec forbids holes ("the byte buffer needs to be entirely indexed, and cannot contain holes. This
 *     prevents the creation of polyglot files") and the reference reader refuses them, so a real file never
 *     has one and this reader refuses them too.
 */
import { CheckpointError, elementCount, isCount, itemSize, type Checkpoint, type CheckpointTensor, type SourceDType } from './checkpoint.js';
import type { ByteSource } from './byte-source.js';
import { decodeFloats } from './decode-floats.js';

/** The reference implementation's limit; real headers are a few MB at most. */
export const MAX_HEADER_BYTES = 100_000_000;

const knownDTypes: ReadonlySet<string> = new Set<SourceDType>(['F64', 'F32', 'F16', 'BF16', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL']);

interface Entry {
  readonly name: string;
  readonly dtype: SourceDType;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

export function readSafetensors(src: ByteSource): Checkpoint {
  if (src.size < 8) throw new CheckpointError(`safetensors: the file is ${src.size} bytes, too short to hold the 8-byte header length`);
  const lengthBytes = src.read(0, 8);
  const view = new DataView(lengthBytes.buffer, lengthBytes.byteOffset, 8);
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  const headerLength = high * 2 ** 32 + low;
  if (headerLength > MAX_HEADER_BYTES) {
    throw new CheckpointError(`safetensors: the header length at byte 0 says ${headerLength} bytes, more than the format's limit of ${MAX_HEADER_BYTES} (100 MB); refusing to read it`);
  }
  if (headerLength > src.size - 8) {
    throw new CheckpointError(`safetensors: the header length at byte 0 says ${headerLength} bytes, but only ${src.size - 8} bytes follow it (is the file truncated?)`);
  }
  if (headerLength < 2) throw new CheckpointError(`safetensors: the header length at byte 0 is ${headerLength}; the smallest header, {}, is 2 bytes`);

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(src.read(8, headerLength));
  } catch {
    throw new CheckpointError('safetensors: the JSON header (from byte 8) is not valid UTF-8');
  }
  if (!text.startsWith('{')) throw new CheckpointError(`safetensors: the JSON header at byte 8 must start with '{', found ${JSON.stringify(text.slice(0, 12))}`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(`safetensors: the JSON header (bytes 8 to ${8 + headerLength}) does not parse: ${(e as Error).message}`);
  }
  // It opened with '{' and parsed, so it is an object.
  const fields = header as Record<string, unknown>;

  const dataStart = 8 + headerLength;
  const dataLength = src.size - dataStart;
  const entries: Entry[] = [];
  let metadata: Record<string, string> = {};
  const seen = new Set<string>();
  // Header order, not Object.keys order (which would move integer-like names such as "0" to the front), and a
  // repeated key is caught here: JSON.parse would silently keep the last one.
  for (const name of topLevelKeys(text)) {
    if (seen.has(name)) throw new CheckpointError(`safetensors: the header names '${name}' twice (the format forbids repeated keys)`);
    seen.add(name);
    if (name === '__metadata__') metadata = readMetadata(fields[name]);
    else entries.push(readEntry(name, fields[name], dataLength));
  }
  checkTiling(entries, dataLength);

  const tensors = new Map<string, CheckpointTensor>();
  for (const e of entries) {
    tensors.set(e.name, {
      name: e.name,
      dtype: e.dtype,
      shape: e.shape,
      toFloat32: () => decodeFloats(e.dtype, src.read(dataStart + e.begin, e.end - e.begin), e.name),
    });
  }
  return { format: 'safetensors', tensors, metadata };
}

function readMetadata(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CheckpointError('safetensors: __metadata__ must be an object of strings');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new CheckpointError(`safetensors: __metadata__ value '${k}' is ${JSON.stringify(v)}, but the format allows only strings`);
    out[k] = v;
  }
  return out;
}

function readEntry(name: string, value: unknown, dataLength: number): Entry {
  const bad = (what: string) => new CheckpointError(`safetensors: tensor '${name}': ${what}`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('the header entry is not an object with dtype, shape and data_offsets');
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== 'string') throw bad('dtype is missing or not a string');
  if (!knownDTypes.has(dtype)) throw bad(`dtype ${dtype} is not supported (effnet reads ${[...knownDTypes].join(', ')})`);
  if (!Array.isArray(shape) || !shape.every(isCount)) throw bad(`shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) throw bad(`data_offsets ${JSON.stringify(offsets)} is not a pair of non-negative integers`);
  const [begin, end] = offsets as [number, number];
  if (end < begin) throw bad(`data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataLength) throw bad(`data_offsets [${begin}, ${end}] run past the end of the data section, which holds ${dataLength} bytes`);
  const count = elementCount(shape);
  const size = itemSize[dtype as SourceDType];
  if (count === undefined || count * size !== end - begin) {
    throw bad(`data_offsets [${begin}, ${end}] span ${end - begin} bytes, but shape [${shape.join(', ')}] of ${dtype} needs ${count === undefined ? 'more than 2^53' : count * size}`);
  }
  return { name, dtype: dtype as SourceDType, shape: shape as number[], begin, end };
}

/** Sorted by offset, the ranges must cover the data section exactly once. */
function checkTiling(entries: readonly Entry[], dataLength: number): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let previous: Entry | undefined;
  for (const e of sorted) {
    if (e.begin < at) {
      throw new CheckpointError(`safetensors: tensors '${previous!.name}' [${previous!.begin}, ${previous!.end}] and '${e.name}' [${e.begin}, ${e.end}] overlap in the data section`);
    }
    if (e.begin > at) throw holes(at, e.begin);
    at = e.end;
    previous = e;
  }
  if (at < dataLength) throw holes(at, dataLength);
}

function holes(from: number, to: number): CheckpointError {
  return new CheckpointError(`safetensors: bytes ${from} to ${to} of the data section belong to no tensor; the format forbids holes and trailing bytes (they could hide other content in the file)`);
}

/** The keys of a JSON object's top level, in order and with repeats; `json` has already parsed. */
function topLevelKeys(json: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      const start = i;
      for (i++; json[i] !== '"'; i++) if (json[i] === '\\') i++;
      if (depth === 1 && expectKey) keys.push(JSON.parse(json.slice(start, i + 1)) as string);
      expectKey = false;
    } else if (c === '{' || c === '[') {
      depth++;
      expectKey = depth === 1;
    } else if (c === '}' || c === ']') {
      depth--;
    } else if (c === ',' && depth === 1) {
      expectKey = true;
    }
  }
  return keys;
}
