/**
 * Quantized weights for TF.js, as tfjs-converter writes them (--quantize_float16, --quantize_uint16,
 * --quantize_uint8): each quantized weight keeps `dtype: 'float32'` in the weights manifest and gains a
 * `quantization` entry saying how its bytes are stored; tf.loadLayersModel (tfjs-core io_utils decodeWeights)
 * turns them back into float32 at load, so the model, its layers and every backend are unchanged.
 *
 *   float16  { dtype: 'float16' }            2 bytes a value, IEEE binary16, round to nearest even
 *   uint16   { dtype: 'uint16', scale, min }  2 bytes a value: value = q * scale + min
 *   uint8    { dtype: 'uint8', scale, min }   1 byte a value, the same affine rule
 *
 * The affine modes follow tfjs-converter's quantization.py: scale and min per tensor from its own min and
 * max, the range nudged (when it spans 0) so that 0 is exactly one of the levels (zero weights, and the zero
 * padding they multiply, stay zero); a constant tensor is stored as zeros with scale 1 and min its value.
 * Computed in doubles; the manifest carries scale and min as JSON doubles, and tfjs computes q * scale + min
 * in doubles before storing a float32, as effnet's reader does (src/checkpoint/tfjs-layers.ts).
 *
 * Only float32 weights are quantized (tfjs-converter leaves int32 and bool alone); every weight effnet writes
 * is float32. Which weights: rules of a mode and name patterns (fnmatch-style, as tfjs-converter's), below.
 */
import { BackendError } from '../backend.js';
import { toFloat16Bytes } from '../float16.js';
import type { WeightEntry } from './keras-format.js';

export type QuantizationMode = 'float16' | 'uint16' | 'uint8';

export const quantizationModes: readonly QuantizationMode[] = ['float16', 'uint16', 'uint8'];

/** Bytes a stored value takes. */
export const bytesPerValue: Readonly<Record<QuantizationMode | 'float32', number>> = { float32: 4, float16: 2, uint16: 2, uint8: 1 };

/** The weights manifest's `quantization` entry, with tfjs-converter's keys in its order. */
export type ManifestQuantization =
  | { readonly dtype: 'float16'; readonly original_dtype: 'float32' }
  | { readonly dtype: 'uint8' | 'uint16'; readonly min: number; readonly scale: number; readonly original_dtype: 'float32' };

/**
 * One `--quantize` rule: a mode for the weights whose names match one of `patterns`, or, without patterns,
 * for every weight no other rule names (tfjs-converter's fallthrough; at most one).
 */
export interface QuantizationRule {
  readonly mode: QuantizationMode;
  readonly patterns?: readonly string[];
}

/** A rule that cannot apply to this model (a pattern that names no weight, two modes for one weight). */
export class QuantizationRuleError extends BackendError {
  override readonly name = 'QuantizationRuleError';
}

/**
 * fnmatch's wildcards, which tfjs-converter matches weight names with: `*` any run of characters (across
 * `/` too: `block2*` names every weight of block2's layers), `?` one character; everything else literal.
 */
export function patternRegExp(pattern: string): RegExp {
  const body = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, 's');
}

/**
 * Which mode each weight gets. Like tfjs-converter's map_layers_to_quantization_dtype, two modes for one
 * weight and two fallthrough rules are errors; unlike it, a pattern that names no weight is an error too
 * (a typo would otherwise ship float32 weights silently). Weights no rule names stay float32.
 */
export function planQuantization(names: readonly string[], rules: readonly QuantizationRule[]): Map<string, QuantizationMode> {
  const plan = new Map<string, QuantizationMode>();
  const fallthrough = rules.filter((r) => !r.patterns);
  if (fallthrough.length > 1) throw new QuantizationRuleError(`--quantize ${fallthrough.map((r) => r.mode).join(' and --quantize ')} both apply to every weight: give all but one a pattern (MODE:PATTERN)`);
  for (const rule of rules) {
    for (const pattern of rule.patterns ?? []) {
      const re = patternRegExp(pattern);
      const matched = names.filter((n) => re.test(n));
      if (matched.length === 0) throw new QuantizationRuleError(`--quantize ${rule.mode}:${pattern} names no weight of this model (weights are named like ${names.slice(0, 2).join(', ')})`);
      for (const name of matched) {
        const before = plan.get(name);
        if (before !== undefined && before !== rule.mode) throw new QuantizationRuleError(`weight ${name} is named by --quantize ${before} and --quantize ${rule.mode}: a weight takes one mode`);
        plan.set(name, rule.mode);
      }
    }
  }
  const rest = fallthrough[0];
  if (rest) for (const name of names) if (!plan.has(name)) plan.set(name, rest.mode);
  return plan;
}

/** Python's round and numpy's np.round: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export interface QuantizedWeight {
  /** The stored values, little-endian. */
  readonly bytes: Uint8Array;
  readonly quantization: ManifestQuantization;
}

/** Scale and min of an affine mode for values in [lo, hi], tfjs-converter's nudged range. */
export function affineRange(lo: number, hi: number, mode: 'uint8' | 'uint16'): { scale: number; min: number; max: number } {
  const levels = mode === 'uint8' ? 255 : 65535;
  // One value: every element is stored as 0 and decodes to it exactly.
  if (lo === hi) return { scale: 1, min: lo, max: hi };
  const scale = (hi - lo) / levels;
  if (lo <= 0 && 0 <= hi) {
    const min = -roundHalfEven(-lo / scale) * scale;
    return { scale, min, max: levels * scale + min };
  }
  return { scale, min: lo, max: hi };
}

/** The weight's values stored in `mode`; `name` is for the error a float16 overflow raises. */
export function quantizeWeight(values: Float32Array, mode: QuantizationMode, name: string): QuantizedWeight {
  if (mode === 'float16') return { bytes: toFloat16Bytes(values, name), quantization: { dtype: 'float16', original_dtype: 'float32' } };
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  // An empty tensor has no range; tfjs decodes nothing from it, whatever scale says.
  if (values.length === 0) lo = hi = 0;
  const { scale, min, max } = affineRange(lo, hi, mode);
  const wide = mode === 'uint16';
  const bytes = new Uint8Array(values.length * (wide ? 2 : 1));
  if (lo !== hi) {
    for (let i = 0; i < values.length; i++) {
      const q = roundHalfEven((Math.min(Math.max(values[i]!, min), max) - min) / scale);
      if (wide) {
        bytes[2 * i] = q & 0xff;
        bytes[2 * i + 1] = q >>> 8;
      } else bytes[i] = q;
    }
  }
  return { bytes, quantization: { dtype: mode, min, scale, original_dtype: 'float32' } };
}

/** A weight as the TF.js backend lists it: its manifest name and shape, its float32 values on demand. */
interface StoredWeight {
  readonly name: string;
  readonly shape: readonly number[];
  /** 'int32' for a graph model's index constants: stored as they are, never quantized. */
  readonly dtype?: 'int32';
  data(): Float32Array | Int32Array;
}

/** How the backend stores its weights in the shards: float32, or quantized by the rules. */
export interface WeightStore {
  /** The mode of each weight, by index; undefined for float32. */
  mode(index: number): QuantizationMode | undefined;
  /** Bytes the weight takes in the shards. */
  byteLength(index: number): number;
  /** The weight's stored bytes (its values generated now). */
  bytes(index: number): Uint8Array;
  /**
   * The weight's manifest entry. An affine mode's scale and min depend on the values: they are kept from
   * bytes(), or the values are generated for them here when the entry is asked for first.
   */
  entry(index: number): WeightEntry;
  /** How many weights are quantized, per mode. */
  readonly counts: Readonly<Partial<Record<QuantizationMode, number>>>;
}

const elements = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function weightStore(weights: readonly StoredWeight[], rules: readonly QuantizationRule[] = []): WeightStore {
  const floats = weights.filter((w) => w.dtype !== 'int32');
  const plan = rules.length ? planQuantization(floats.map((w) => w.name), rules) : new Map<string, QuantizationMode>();
  const modes = weights.map((w) => (w.dtype === 'int32' ? undefined : plan.get(w.name)));
  const seen = new Map<number, ManifestQuantization>();
  const values = (i: number): Float32Array | Int32Array => {
    const w = weights[i]!;
    const data = w.data();
    if (data.length !== elements(w.shape)) throw new Error(`internal: ${w.name} has ${data.length} values for shape [${w.shape}]`);
    return data;
  };
  const counts: Partial<Record<QuantizationMode, number>> = {};
  for (const m of modes) if (m) counts[m] = (counts[m] ?? 0) + 1;
  return {
    counts,
    mode: (i) => modes[i],
    byteLength: (i) => elements(weights[i]!.shape) * bytesPerValue[modes[i] ?? 'float32'],
    bytes(i) {
      const mode = modes[i];
      const data = values(i);
      // Float32Array bytes are little-endian on every platform TF.js runs on, which is what the format expects.
      if (!mode) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      const q = quantizeWeight(data as Float32Array, mode, weights[i]!.name);
      seen.set(i, q.quantization);
      return q.bytes;
    },
    entry(i) {
      const w = weights[i]!;
      const mode = modes[i];
      const base = { name: w.name, shape: [...w.shape], dtype: w.dtype ?? ('float32' as const) };
      if (!mode) return base;
      let quantization = mode === 'float16' ? ({ dtype: 'float16', original_dtype: 'float32' } as const) : seen.get(i);
      if (!quantization) {
        quantization = quantizeWeight(values(i) as Float32Array, mode, w.name).quantization;
        seen.set(i, quantization);
      }
      return { ...base, quantization };
    },
  };
}

/** "uint8 (all 312 weights)"; "uint8 (40 of 312 weights), float16 (272 of 312)"; "... float32 (the rest)": for people. */
export function describeQuantization(counts: Readonly<Partial<Record<QuantizationMode, number>>>, total: number): string {
  const modes = quantizationModes.filter((m) => counts[m]);
  const quantized = modes.reduce((a, m) => a + counts[m]!, 0);
  const parts = modes.map((m, i) => (counts[m] === total ? `${m} (all ${total} weights)` : `${m} (${counts[m]} of ${total}${i === 0 ? ' weights' : ''})`));
  return [...parts, ...(quantized < total ? ['float32 (the rest)'] : [])].join(', ');
}
