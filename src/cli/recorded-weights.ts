/**
 * How a model on disk stores its weights: float32, or quantized (--quantize). A TF.js model says so per weight
 * in its weights manifest (`quantization.dtype`, whoever wrote it: effnet or tfjs-converter); an ONNX file
 * effnet wrote with float16 weights records `effnet.quantization` in its metadata. `effnet run` prints it, and
 * `--verify` compares a quantized model at its storage's tolerance (backends/agreement.ts).
 */
import { coarser, type WeightStorage } from '../../backends/agreement.js';
import { ONNX_FLOAT16, ONNX_QUANTIZATION_KEY } from '../../backends/onnx/float16-weights.js';
import { describeQuantization, quantizationModes, type QuantizationMode } from '../../backends/tfjs/quantize.js';
import { STRUCTURE_ONLY, WEIGHTS_METADATA_KEY } from '../../backends/structure-only.js';
import type { Kind } from './model-runners.js';
import { readModelJson, readOnnxMetadata } from './model-metadata.js';

export interface RecordedWeights {
  /** The coarsest storage of any weight ('float32' when none is quantized). */
  readonly storage: WeightStorage;
  /** "float32", "uint8 (all 140 weights), dequantized to float32 at load". */
  readonly description: string;
}

const FLOAT32: RecordedWeights = { storage: 'float32', description: 'float32' };

/** The storage of a TF.js weights manifest's entries; anything unreadable counts as float32 (loading says the rest). */
export function manifestWeights(manifest: unknown): RecordedWeights {
  const counts: Partial<Record<QuantizationMode, number>> = {};
  let total = 0;
  let storage: WeightStorage = 'float32';
  for (const group of Array.isArray(manifest) ? manifest : []) {
    const weights = (group as { weights?: unknown })?.weights;
    for (const w of Array.isArray(weights) ? weights : []) {
      total++;
      const mode = (w as { quantization?: { dtype?: unknown } })?.quantization?.dtype;
      if (!quantizationModes.includes(mode as QuantizationMode)) continue;
      counts[mode as QuantizationMode] = (counts[mode as QuantizationMode] ?? 0) + 1;
      storage = coarser(storage, mode as QuantizationMode);
    }
  }
  if (storage === 'float32') return FLOAT32;
  return { storage, description: `${describeQuantization(counts, total)}, dequantized to float32 at load` };
}

export function recordedWeights(kind: Kind, path: string): RecordedWeights {
  if (kind === 'tfjs') return manifestWeights(readModelJson(path).json?.weightsManifest);
  const recorded = readOnnxMetadata(path).get(ONNX_QUANTIZATION_KEY);
  return recorded === ONNX_FLOAT16 ? { storage: 'float16', description: recorded } : FLOAT32;
}

/** Whether the model was compiled structure only (--init zeros): no weights to run (backends/structure-only.ts). */
export function isStructureOnly(kind: Kind, path: string): boolean {
  if (kind === 'onnx') return readOnnxMetadata(path).get(WEIGHTS_METADATA_KEY) === STRUCTURE_ONLY;
  const metadata = (readModelJson(path).json as { userDefinedMetadata?: Record<string, unknown> } | null)?.userDefinedMetadata;
  return (metadata?.[WEIGHTS_METADATA_KEY] as { structureOnly?: unknown } | undefined)?.structureOnly === true;
}
