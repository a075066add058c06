/**
 * float32 → IEEE 754 binary16 (1 sign bit, 5 exponent bits with bias 15, 10 mantissa bits), rounded to the
 * nearest value with ties to even, as numpy's `astype(np.float16)` (what tfjs-converter's --quantize_float16
 * runs) and ONNX's float16 tensors use. Values past the largest half (65504, or from 65520 up, which rounds
 * past it) become infinity, as in numpy; callers that must not write an infinity check `isFinite16`.
 *
 * By hand, not a dependency: Node 20 has neither Float16Array nor Math.f16round, and the conversion is a
 * dozen lines of bit arithmetic, tested exhaustively against the decoder (src/checkpoint/decode-floats.ts).
 */
import { BackendError } from './backend.js';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The binary16 bits of `value` (first rounded to float32, as a Float32Array would store it). */
export function float16Bits(value: number): number {
  f32[0] = value;
  const b = u32[0]!;
  const sign = (b >>> 16) & 0x8000;
  const exponent = (b >>> 23) & 0xff;
  const mantissa = b & 0x7fffff;
  // Infinity stays infinity; NaN stays a (quiet) NaN.
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    // Below 2^-14: a subnormal half (mantissa x 2^-24), or zero below half the smallest one (2^-25).
    if (e < -10) return sign;
    const m = mantissa | 0x800000;
    const shift = 14 - e;
    return sign | roundShift(m, shift);
  }
  // A carry out of the mantissa moves into the exponent, which is the right result (up to infinity).
  return sign | ((e << 10) + roundShift(mantissa, 13));
}

/** m >> shift, rounded to nearest with ties to even. */
function roundShift(m: number, shift: number): number {
  const kept = m >>> shift;
  const rest = m - kept * 2 ** shift;
  const half = 2 ** (shift - 1);
  return rest > half || (rest === half && (kept & 1) === 1) ? kept + 1 : kept;
}

/** Whether a half's bits hold a finite value (not infinity or NaN). */
export const isFinite16 = (bits: number): boolean => (bits & 0x7c00) !== 0x7c00;

/** The largest finite binary16 value. */
export const FLOAT16_MAX = 65504;

/** A weight whose values float16 cannot hold (beyond 65504): written, it would load as infinity. */
export class Float16RangeError extends BackendError {
  override readonly name = 'Float16RangeError';
  constructor(readonly weight: string, readonly index: number, readonly value: number) {
    super(`weight ${weight} holds ${value} at index ${index}, beyond float16's largest value ${FLOAT16_MAX}: it would load as infinity`);
  }
}

/**
 * `values` as little-endian binary16 bytes. With `weight` (its name), a finite value that would become
 * infinity throws Float16RangeError instead: a weights file must not load as something else.
 */
export function toFloat16Bytes(values: Float32Array, weight?: string): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  for (let i = 0; i < values.length; i++) {
    const h = float16Bits(values[i]!);
    if (weight !== undefined && !isFinite16(h) && Number.isFinite(values[i]!)) throw new Float16RangeError(weight, i, values[i]!);
    out[2 * i] = h & 0xff;
    out[2 * i + 1] = h >>> 8;
  }
  return out;
}
