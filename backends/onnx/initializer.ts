/**
 * Initializers (weights) as lazy tensors, and their TensorProto encoding. Values are produced one tensor at a
 * time while the file is written, so a model is never held in memory: the header is encoded with onnx-proto,
 * the raw_data field is appended by hand with the bytes of the freshly generated Float32Array.
 */
import { endianness } from 'node:os';
import onnxProto from 'onnx-proto';
import { toFloat16Bytes } from '../float16.js';
import { lengthDelimitedSize, lengthPrefix } from './protobuf-wire.js';

const { onnx } = onnxProto;

/** 'param' counts as a trainable parameter; 'stat' (BN running mean/var) and 'constant' (Clip bounds) do not. */
export type TensorRole = 'param' | 'stat' | 'constant';

export interface Initializer {
  /** Keras-style: stem_conv/kernel, stem_bn/moving_mean, predictions/bias. */
  readonly name: string;
  readonly dims: readonly number[];
  readonly role: TensorRole;
  /** Produces the values; called once per write, when the tensor's turn comes. int64 only for constants (shapes, slice bounds). */
  readonly values: () => Float32Array | BigInt64Array;
  /** Stored as float16 (converted from `values`, round to nearest even) instead of float32. */
  readonly float16?: boolean;
  /** The weight a renamed initializer holds (its float32 name), for messages. */
  readonly weight?: string;
}

export const elementCount = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);
const isInt64 = (init: Initializer) => init.role === 'constant' && init.name.startsWith('int64/');
export const byteLength = (init: Initializer): number => (isInt64(init) ? 8 : init.float16 ? 2 : 4) * elementCount(init.dims);

/** An int64 constant (a Reshape shape, Slice bounds): named `int64/...`, which is how the encoder knows its type. */
export const int64Constant = (name: string, values: readonly number[]): Initializer => ({
  name: `int64/${name}`,
  dims: [values.length],
  role: 'constant',
  values: () => BigInt64Array.from(values, (v) => BigInt(v)),
});

/** TensorProto.raw_data. */
const RAW_DATA_FIELD = 9;

/** Where a tensor's bytes go: inside the model, or at an offset of the external-data file. */
export type Placement = { readonly kind: 'embedded' } | { readonly kind: 'external'; readonly location: string; readonly offset: number };

/** The TensorProto fields before the data: dims, type, name, and for external tensors where to find the data. */
export function tensorHeader(init: Initializer, placement: Placement): Uint8Array {
  const dataType = isInt64(init) ? onnx.TensorProto.DataType.INT64 : init.float16 ? onnx.TensorProto.DataType.FLOAT16 : onnx.TensorProto.DataType.FLOAT;
  const base = { dims: [...init.dims], dataType, name: init.name };
  const message =
    placement.kind === 'embedded'
      ? base
      : {
          ...base,
          dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
          externalData: [
            { key: 'location', value: placement.location },
            { key: 'offset', value: String(placement.offset) },
            { key: 'length', value: String(byteLength(init)) },
          ],
        };
  return onnx.TensorProto.encode(message).finish();
}

/** Size of the whole TensorProto for this header, data included when embedded. */
export function tensorSize(init: Initializer, header: Uint8Array, placement: Placement): number {
  return header.length + (placement.kind === 'embedded' ? lengthDelimitedSize(RAW_DATA_FIELD, byteLength(init)) : 0);
}

/** The raw_data field's tag and length, to be followed by the tensor's bytes. */
export function rawDataPrefix(init: Initializer): Uint8Array {
  return lengthPrefix(RAW_DATA_FIELD, byteLength(init));
}

const littleEndian = endianness() === 'LE';

/**
 * The tensor's bytes in ONNX's little-endian order: a view of the generated array, no copy on x86/ARM; for a
 * float16 tensor its halves (a value past float16's range is refused, not written as infinity).
 */
export function tensorBytes(init: Initializer): Uint8Array {
  const values = init.values();
  if (values.length !== elementCount(init.dims)) {
    throw new Error(`internal: ${init.name} produced ${values.length} values for dims [${init.dims.join(', ')}]`);
  }
  if (init.float16 && values instanceof Float32Array) return toFloat16Bytes(values, init.weight ?? init.name);
  if (littleEndian) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(values.byteLength);
  const view = new DataView(out.buffer);
  if (values instanceof BigInt64Array) for (let i = 0; i < values.length; i++) view.setBigInt64(8 * i, values[i]!, true);
  else for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i]!, true);
  return out;
}
