/**
 * torch.save files (PyTorch 1.6 and later): a zip archive with `<prefix>/data.pkl`, the pickled object,
 * whose tensors point through persistent ids ('storage', storage class, key, location, numel) at raw
 * little-endian storages `<prefix>/data/<key>`, plus `<prefix>/version` and, since torch 2.0,
 * `<prefix>/byteorder`. Pre-1.6 files (a bare pickle stream) are not zip archives and are not read here.
 *
 * Open reads the zip directory and data.pkl; a tensor's bytes are read when it is converted. The pickle is
 * read by the restricted unpickler, so a file that holds anything but data (a whole nn.Module, an
 * argparse.Namespace, a payload) is refused before any of it is interpreted.
 *
 * The object found may be the state_dict itself or a training checkpoint wrapping one under 'state_dict',
 * 'model', 'model_state_dict' or 'ema'; metadata.wrapper records which key was used. Values in the state
 * dict that are not tensors are skipped. Names are kept as stored (`module.` prefixes included).
 */
import type { ByteSource } from './byte-source.js';
import { CheckpointError, elementCount, floatDTypes, itemSize, notAFloat, type Checkpoint, type CheckpointTensor } from './checkpoint.js';
import { decodeFloats } from './decode-floats.js';
import { describe, PickleGlobal, unpickle } from './restricted-unpickler.js';
import { StorageRef, storageDTypes, TensorRef, torchGlobal, torchRefusalHint } from './torch-globals.js';
import { entryDataOffset, listZipEntries, readEntryRange, type ZipEntry } from './zip-entries.js';

/** data.pkl of a state_dict is a few MB even for billion-parameter models. */
export const MAX_PICKLE_BYTES = 100_000_000;

/** Where a state_dict may sit in a training checkpoint, in the order they are tried. */
export const wrapperKeys = ['state_dict', 'model', 'model_state_dict', 'ema'] as const;

export async function readPytorch(src: ByteSource): Promise<Checkpoint> {
  const entries = await listZipEntries(src);
  const pickles = [...entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pickles.length !== 1) {
    const names = [...entries.keys()].slice(0, 5).join(', ');
    throw new CheckpointError(pickles.length === 0
      ? `a zip archive without <name>/data.pkl, so not a torch.save file (it holds ${entries.size} entries${names ? `: ${names}${entries.size > 5 ? ', ...' : ''}` : ''})`
      : `a zip archive with ${pickles.length} data.pkl entries (${pickles.join(', ')}); a torch.save file has one`);
  }
  const pickleName = pickles[0]!;
  const prefix = pickleName.slice(0, -'/data.pkl'.length);
  const small = (name: string, limit: number) => {
    const e = entries.get(name);
    if (!e) return undefined;
    if (e.size > limit) throw new CheckpointError(`zip entry ${name} is ${e.size} bytes, more than the ${limit} bytes it may be`);
    return readEntryRange(src, e, entryDataOffset(src, e), 0, e.size);
  };

  const metadata: Record<string, string> = { archive: prefix };
  const version = small(`${prefix}/version`, 64);
  if (version) metadata.version = new TextDecoder().decode(version).trim();
  const byteorder = small(`${prefix}/byteorder`, 64);
  if (byteorder) {
    const order = new TextDecoder().decode(byteorder).trim();
    if (order !== 'little') throw new CheckpointError(`${prefix}/byteorder says '${order}': only little-endian torch.save files can be read`);
  }

  const storages = new Map<string, StorageRef>();
  const top = unpickle(small(pickleName, MAX_PICKLE_BYTES)!, {
    where: pickleName,
    findGlobal: torchGlobal,
    refusalHint: torchRefusalHint,
    persistentLoad: (pid) => storageFor(pid, storages),
  });

  const { dict, wrapper } = findStateDict(top);
  if (wrapper) metadata.wrapper = wrapper;

  const tensors = new Map<string, CheckpointTensor>();
  const located = new Map<string, { entry: ZipEntry; dataOffset: number }>();
  for (const [key, value] of dict) {
    if (!(value instanceof TensorRef)) continue;
    const name = String(key);
    const s = value.storage;
    let where = located.get(s.key);
    if (!where) {
      const entry = entries.get(`${prefix}/data/${s.key}`);
      if (!entry) throw new CheckpointError(`tensor '${name}': its storage ${prefix}/data/${s.key} is not in the archive`);
      where = { entry, dataOffset: entryDataOffset(src, entry) };
      located.set(s.key, where);
    }
    tensors.set(name, tensor(src, name, value, where.entry, where.dataOffset));
  }
  return { format: 'pytorch', tensors, metadata };
}

/** A persistent id → its storage; one StorageRef per key, so views of one storage share it. */
function storageFor(pid: unknown, storages: Map<string, StorageRef>): StorageRef {
  if (!Array.isArray(pid) || pid.length !== 5 || pid[0] !== 'storage') throw new CheckpointError(`a persistent id is ${describe(pid)}, not ('storage', type, key, location, size)`);
  const [, type, key, , numel] = pid as unknown[];
  const typeName = type instanceof PickleGlobal && type.module === 'torch' ? type.name : undefined;
  if (typeName === undefined || typeof key !== 'string' || typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) {
    throw new CheckpointError(`a persistent id (${describe(type)}, ${describe(key)}, ${describe(numel)}) is not a storage class, key and size`);
  }
  const known = storages.get(key);
  if (known) {
    if (known.storageType !== typeName) throw new CheckpointError(`storage ${key} is used both as ${known.storageType} and as ${typeName}`);
    return known;
  }
  const ref = new StorageRef(key, typeName, storageDTypes[typeName], numel);
  storages.set(key, ref);
  return ref;
}

/** The state dict: the top-level dict if it holds tensors, else the first wrapper key that holds one. */
function findStateDict(top: unknown): { dict: ReadonlyMap<unknown, unknown>; wrapper?: string } {
  if (top instanceof TensorRef) throw new CheckpointError('the file holds a single tensor, not a state_dict (a dict of named tensors)');
  if (!(top instanceof Map)) throw new CheckpointError(`the file holds ${describe(top)}, not a state_dict (a dict of named tensors)`);
  const holdsTensors = (m: unknown): m is Map<unknown, unknown> => m instanceof Map && [...m.values()].some((v) => v instanceof TensorRef);
  if (holdsTensors(top)) return { dict: top };
  for (const key of wrapperKeys) {
    const inner = top.get(key);
    if (holdsTensors(inner)) return { dict: inner, wrapper: key };
  }
  const keys = [...top.keys()].slice(0, 8).map((k) => (typeof k === 'string' ? `'${k}'` : String(k)));
  throw new CheckpointError(`no tensors found: the file holds a dict with keys ${keys.join(', ') || '(none)'}${top.size > 8 ? ', ...' : ''}, and none of ${wrapperKeys.map((k) => `'${k}'`).join(', ')} holds a state_dict`);
}

/** True when the strides are those of a row-major tensor of this shape (size-1 dimensions may have any stride). */
function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && stride[i] !== expected) return false;
    expected *= shape[i]!;
  }
  return true;
}

function tensor(src: ByteSource, name: string, ref: TensorRef, entry: ZipEntry, dataOffset: number): CheckpointTensor {
  const { storage, offset, shape, stride } = ref;
  const dtype = storage.dtype;
  if (!dtype) {
    throw new CheckpointError(`tensor '${name}' is stored as torch.${storage.storageType}, which effnet does not read (it reads ${Object.keys(storageDTypes).join(', ')})`);
  }
  const size = itemSize[dtype];
  const count = elementCount(shape);
  if (count === undefined) throw new CheckpointError(`tensor '${name}': shape [${shape.join(', ')}] has more than 2^53 elements`);
  // The last element the view touches; torch strides are never negative, so the first is `offset`.
  const last = offset + shape.reduce((s, d, i) => s + (d - 1) * stride[i]!, 0);
  if (count > 0 && last >= storage.numel) {
    throw new CheckpointError(`tensor '${name}': shape [${shape.join(', ')}], stride [${stride.join(', ')}] at offset ${offset} reach element ${last} of a storage of ${storage.numel}`);
  }
  if (storage.numel * size > entry.size) {
    throw new CheckpointError(`tensor '${name}': storage ${entry.name} should hold ${storage.numel} ${dtype} elements (${storage.numel * size} bytes), but the entry is ${entry.size} bytes`);
  }
  const contiguous = isContiguous(shape, stride);
  return {
    name,
    dtype,
    shape,
    toFloat32() {
      if (!floatDTypes.has(dtype)) throw notAFloat(name, dtype);
      if (count === 0) return new Float32Array(0);
      if (contiguous) return decodeFloats(dtype, readEntryRange(src, entry, dataOffset, offset * size, count * size), name);
      // A strided view (a transpose, an expand): read the span it covers once, then gather in row-major order.
      const span = decodeFloats(dtype, readEntryRange(src, entry, dataOffset, offset * size, (last - offset + 1) * size), name);
      return gather(span, shape, stride, count);
    },
  };
}

/** The elements of a strided view of `span`, in row-major order. */
function gather(span: Float32Array, shape: readonly number[], stride: readonly number[], count: number): Float32Array {
  const out = new Float32Array(count);
  const index = new Array<number>(shape.length).fill(0);
  let at = 0;
  for (let i = 0; i < count; i++) {
    out[i] = span[at]!;
    for (let d = shape.length - 1; d >= 0; d--) {
      index[d] = index[d]! + 1;
      at += stride[d]!;
      if (index[d]! < shape[d]!) break;
      at -= stride[d]! * shape[d]!;
      index[d] = 0;
    }
  }
  return out;
}
