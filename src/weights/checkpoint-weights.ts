/**
 * A checkpoint, mapped, as the WeightSource the backends read: each tensor is read from the file when its
 * turn comes, converted to float32 and to effnet's layout, and checked for NaN and infinities on the way (a
 * non-finite weight stops the write, which then leaves nothing behind).
 */
import type { TensorRole, WeightSource } from '../../backends/weight-source.js';
import type { GraphNode } from '../ir/graph.js';
import type { TensorBinding, WeightsMapping } from './map-checkpoint.js';
import { toCanonical } from './tensor-layouts.js';

/** A weight that is NaN or infinite, found while reading it. */
export class WeightValueError extends Error {
  override readonly name = 'WeightValueError';
  constructor(readonly binding: TensorBinding, readonly index: number, readonly value: number) {
    super(`${binding.key} holds ${value} at index ${index}`);
  }
}

export function firstNonFinite(values: Float32Array): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return i;
  return -1;
}

/** The canonical values of one binding. */
export function bindingValues(b: TensorBinding): Float32Array {
  const groups = b.tensor.node.op.kind === 'conv' ? b.tensor.node.op.groups : 1;
  const values = toCanonical(b.layout, b.source.toFloat32(), b.tensor.shape, groups);
  const bad = firstNonFinite(values);
  if (bad >= 0) throw new WeightValueError(b, bad, values[bad]!);
  return values;
}

export function checkpointWeights(mapping: WeightsMapping, description: string): WeightSource {
  const byTensor = new Map<string, TensorBinding>();
  for (const b of mapping.bindings) byTensor.set(`${b.tensor.node.id}/${b.tensor.role}`, b);
  return {
    description,
    tensor(node: GraphNode, role: TensorRole, shape: readonly number[]) {
      const b = byTensor.get(`${node.id}/${role}`);
      if (!b) throw new Error(`internal: no checkpoint tensor for ${node.name} ${role}`);
      if (b.tensor.shape.join() !== shape.join()) throw new Error(`internal: ${node.name} ${role} asked as [${shape}], mapped as [${b.tensor.shape}]`);
      return bindingValues(b);
    },
  };
}
