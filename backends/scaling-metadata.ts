/**
 * `effnet.scaling`, the record every file effnet writes carries of how its network was scaled (variant, phi,
 * the d/w/r multipliers and the input size it was built and costed at): ONNX metadata_props and the PyTorch
 * target's safetensors header hold the same JSON, and `effnet run` reads the input size back from it.
 */
import type { ModelSpec } from '../src/ir/spec.js';

export const SCALING_METADATA_KEY = 'effnet.scaling';

export function scalingMetadata(spec: ModelSpec): string {
  const applied = spec.applied;
  return JSON.stringify({
    ...(applied.variant !== undefined ? { variant: applied.variant } : {}),
    ...(applied.phi !== undefined ? { phi: applied.phi } : {}),
    depth: applied.depth,
    width: applied.width,
    resolution: applied.resolution,
    input: [spec.input.height, spec.input.width],
  });
}
