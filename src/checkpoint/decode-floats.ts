/**
 * Little-endian float bytes to float32, for the four float dtypes checkpoints store. All three formats keep
 * their data little-endian, so the decoding is shared.
 *
 * float16 and bfloat16 are decoded by hand: Node 20 has neither Float16Array nor Math.f16round, and a
 * dependency for a dozen lines of bit manipulation is not worth it. Both conversions to float32 are exact
 * (every f16 and bf16 value is a float32), so the result matches what `tensor.float()` gives in PyTorch.
 */
import { notAFloat, type SourceDType } from './checkpoint.js';

const hostLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

let halfTable: Float32Array | undefined;

/**
 * float16 bits → value. A 65,536-entry table (256 KB, built on first use) makes decoding a load per element;
 * the per-element arithmetic would be several times slower on large tensors.
 */
function halfToFloatTable(): Float32Array {
  if (halfTable) return halfTable;
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) table[h] = halfBitsToNumber(h);
  halfTable = table;
  return table;
}

/** IEEE 754 binary16: 1 sign bit, 5 exponent bits (bias 15), 10 mantissa bits. */
export function halfBitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  // Exponent 0: zero or a subnormal, mantissa * 2^-24 with no implicit leading 1.
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  // Exponent 31: infinity, or NaN when any mantissa bit is set.
  if (exponent === 31) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** The float32 values of the `dtype` elements in `bytes` (a whole number of elements); `name` is for the error. */
export function decodeFloats(dtype: SourceDType, bytes: Uint8Array, name: string): Float32Array {
  switch (dtype) {
    case 'F32': {
      const out = new Float32Array(bytes.byteLength / 4);
      if (hostLittleEndian) new Uint8Array(out.buffer).set(bytes);
      else {
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
      }
      return out;
    }
    case 'F64': {
      const out = new Float32Array(bytes.byteLength / 8);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
      return out;
    }
    case 'F16': {
      const table = halfToFloatTable();
      const out = new Float32Array(bytes.byteLength / 2);
      for (let i = 0; i < out.length; i++) out[i] = table[bytes[2 * i]! | (bytes[2 * i + 1]! << 8)]!;
      return out;
    }
    case 'BF16': {
      // bfloat16 is the top half of a float32: shift the 16 bits into place and reinterpret. The word view and
      // the float view share the host's byte order, so this holds on either endianness.
      const out = new Float32Array(bytes.byteLength / 2);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < out.length; i++) bits[i] = (bytes[2 * i]! | (bytes[2 * i + 1]! << 8)) << 16;
      return out;
    }
    default:
      throw notAFloat(name, dtype);
  }
}
