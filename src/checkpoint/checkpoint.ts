/**
 * What every checkpoint reader returns: the tensors of a trained model, listed at open and converted one at a
 * time on demand, so a checkpoint of any size is never held in memory at once. The readers are pure parsers
 * over a ByteSource; only the CLI edge opens files. Names are the keys as stored: mapping them to the
 * compiled graph's layers (prefixes such as `module.`, layout transposes) is the name mapper's job, not theirs.
 */

/** Element types as the source file stores them (safetensors' spelling, which the other formats map onto). */
export type SourceDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

export type CheckpointFormat = 'safetensors' | 'pytorch' | 'tfjs-layers';

/** How a TF.js weight is quantized (tfjs-converter's --quantize_uint8/uint16/float16); only TF.js files have it. */
export interface Quantization {
  /** The stored element type; `dtype` of the tensor is the type it decodes to. */
  readonly dtype: 'uint8' | 'uint16' | 'float16';
  /** value = stored * scale + min, for uint8 and uint16. */
  readonly scale?: number;
  readonly min?: number;
}

export interface CheckpointTensor {
  /** The key as stored (no prefix stripping here). */
  readonly name: string;
  readonly dtype: SourceDType;
  readonly shape: readonly number[];
  /** Set when the stored bytes are quantized (TF.js); toFloat32 dequantizes. */
  readonly quantization?: Quantization;
  /**
   * The values converted to float32, read from the source only when called (streaming: never all tensors at
   * once). Throws CheckpointError for a dtype that is not a float (F64/F32/F16/BF16): integer tensors such as
   * num_batches_tracked are listed but not converted.
   */
  toFloat32(): Float32Array;
}

export interface Checkpoint {
  readonly format: CheckpointFormat;
  /** Insertion order = file order. */
  readonly tensors: ReadonlyMap<string, CheckpointTensor>;
  /** safetensors' __metadata__, TF.js's generatedBy etc., the PyTorch wrapper key used. */
  readonly metadata: Readonly<Record<string, string>>;
}

/** A bad or unsupported file: the message says what is wrong and where (byte offset or entry name) in plain words. */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

/** Float dtypes: the ones toFloat32 converts. */
export const floatDTypes: ReadonlySet<SourceDType> = new Set(['F64', 'F32', 'F16', 'BF16']);

/** Bytes per element of each dtype. */
export const itemSize: Readonly<Record<SourceDType, number>> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/** The error toFloat32 throws for an integer or bool tensor. */
export function notAFloat(name: string, dtype: SourceDType): CheckpointError {
  return new CheckpointError(`tensor '${name}' holds ${dtype} values, not floats: it is listed but cannot be converted to float32`);
}

/** Elements of a shape, or undefined when the product is not an exact integer in a double (a corrupt header). */
export function elementCount(shape: readonly number[]): number | undefined {
  let n = 1;
  for (const d of shape) {
    n *= d;
    if (n > Number.MAX_SAFE_INTEGER) return undefined;
  }
  return n;
}

/** A well-formed dimension or offset: a non-negative integer that a double holds exactly. */
export const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

const zipMagic = [0x50, 0x4b, 0x03, 0x04];

/**
 * The format a file's first bytes announce, from content, never from the extension (a `.bin` is a PyTorch
 * zip on the Hub, a TF.js shard elsewhere). `head` should hold the first 4 KB or so; `size` is the file's
 * length when known.
 *   - PyTorch (torch.save since 1.6): a zip archive, `PK\x03\x04`.
 *   - safetensors: a little-endian u64 header length below 2^32, then `{` (the spec requires the JSON header to
 *     open with it). A length past the reader's 100 MB limit still detects, so the reader can say so.
 *   - TF.js layers model: a JSON object naming modelTopology or weightsManifest near its start (tfjs writes
 *     format, generatedBy and convertedBy first).
 */
export function detectFormat(head: Uint8Array, size = head.length): CheckpointFormat | undefined {
  if (head.length >= 4 && zipMagic.every((b, i) => head[i] === b)) return 'pytorch';
  if (size >= 9 && head.length >= 9 && head[8] === 0x7b && head[4] === 0 && head[5] === 0 && head[6] === 0 && head[7] === 0) return 'safetensors';
  const text = new TextDecoder('utf-8').decode(head.subarray(0, 4096)).replace(/^\uFEFF/, '');
  if (/^\s*\{/.test(text) && /"(modelTopology|weightsManifest)"\s*:/.test(text)) return 'tfjs-layers';
  return undefined;
}
