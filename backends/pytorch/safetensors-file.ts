/**
 * A safetensors file written by hand (the format is small; see src/checkpoint/safetensors.ts for the reader):
 * an unsigned 64-bit little-endian header length N, N bytes of JSON
 *   {"__metadata__": {string: string}, name: {"dtype", "shape", "data_offsets": [begin, end]}, ...}
 * then the raw little-endian data, offsets counted from the end of the header.
 *
 * - The header lists the tensors sorted by name and is padded with spaces to a multiple of 8 bytes, as the
 *   reference writer does, so the data starts 8-byte aligned.
 * - The data holds the 8-byte tensors first (I64: the num_batches_tracked buffers), then the 4-byte ones, each
 *   group in name order: every tensor starts at a multiple of its element size, so torch.frombuffer maps it in
 *   place. The ranges tile the data section exactly (no holes), which readers check.
 * - Sizes and offsets come from the shapes alone, so the header is written before any tensor exists; each
 *   tensor is produced when its turn comes and dropped after, so a large model is never held in memory.
 */
import { endianness } from 'node:os';
import type { ArtifactFile } from '../backend.js';

export type SafetensorsDType = 'F32' | 'I64';

export interface SafetensorsTensor {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  /** The values, produced on demand (once per write). */
  readonly data: () => Float32Array | BigInt64Array;
}

const itemSize: Readonly<Record<SafetensorsDType, number>> = { F32: 4, I64: 8 };
const elements = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const littleEndian = endianness() === 'LE';

function bytesOf(t: SafetensorsTensor): Uint8Array {
  const values = t.data();
  const expected = elements(t.shape);
  const ok = t.dtype === 'F32' ? values instanceof Float32Array : values instanceof BigInt64Array;
  if (!ok || values.length !== expected) throw new Error(`internal: ${t.name} produced ${values.length} ${values.constructor.name} values for ${t.dtype} [${t.shape.join(', ')}]`);
  if (littleEndian) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(values.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    if (values instanceof Float32Array) view.setFloat32(4 * i, values[i]!, true);
    else view.setBigInt64(8 * i, values[i]!, true);
  }
  return out;
}

const byName = (a: SafetensorsTensor, b: SafetensorsTensor) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export interface SafetensorsLayout {
  readonly file: ArtifactFile;
  /** The whole file's size. */
  readonly bytes: number;
  readonly headerBytes: number;
}

export function safetensorsFile(path: string, tensors: readonly SafetensorsTensor[], metadata: Readonly<Record<string, string>>): SafetensorsLayout {
  const names = new Set<string>();
  for (const t of tensors) {
    if (t.name === '__metadata__' || names.has(t.name)) throw new Error(`internal: tensor name ${t.name} is repeated or reserved`);
    names.add(t.name);
  }
  const dataOrder = [...tensors].sort((a, b) => itemSize[b.dtype] - itemSize[a.dtype] || byName(a, b));
  const offsets = new Map<string, [number, number]>();
  let at = 0;
  for (const t of dataOrder) {
    const size = elements(t.shape) * itemSize[t.dtype];
    offsets.set(t.name, [at, at + size]);
    at += size;
  }
  const dataBytes = at;

  const header: Record<string, unknown> = {
    __metadata__: Object.fromEntries(Object.keys(metadata).sort().map((k) => [k, metadata[k]!])),
  };
  for (const t of [...tensors].sort(byName)) header[t.name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: offsets.get(t.name) };
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, BigInt(json.length), true);

  const file: ArtifactFile = {
    path,
    *chunks() {
      yield length;
      yield json;
      for (const t of dataOrder) yield bytesOf(t);
    },
  };
  return { file, bytes: 8 + json.length + dataBytes, headerBytes: json.length };
}
