/**
 * A checkpoint, mapped, as the WeightSource the backends read: each tensor is read from the file when its
 * turn comes, converted to float32 and to effnet's layout, and checked for NaN and infinities on the way (a
 * non-finite weight stops the write, which then leaves nothing behind).
 */
import type { TensorRole, WeightSource } from '../../backends/weight-source.js';
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { GraphNode } from '../ir/graph.js';
import type { TensorBinding, WeightsMapping } from './map-checkpoint.js';
import { outsideGroups, toCanonical } from './tensor-layouts.js';

/** A weight that is NaN or infinite, or one outside the groups of a grouped kernel, found while reading it. */
export class WeightValueError extends Error {
  override readonly name = 'WeightValueError';
  constructor(readonly binding: TensorBinding, readonly index: number, readonly value: number, readonly reason: 'non-finite' | 'outside groups' = 'non-finite') {
    super(`${binding.key} holds ${value} at index ${index}${reason === 'outside groups' ? ', outside its groups' : ''}`);
  }
}

/** The diagnostic for a bad value, at the spec row of the layer it is for. */
export function weightValueDiagnostic(e: WeightValueError): Diagnostic {
  const t = e.binding.tensor;
  return e.reason === 'outside groups'
    ? diagnostic('E0709', t.node.span, { key: e.binding.key, layer: t.node.name, groups: t.node.op.kind === 'conv' ? t.node.op.groups : 1, value: String(e.value) })
    : diagnostic('E0706', t.node.span, { key: e.binding.key, layer: t.node.name, index: e.index, value: String(e.value) });
}

export function firstNonFinite(values: Float32Array): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return i;
  return -1;
}

/** The canonical values of one binding. */
export function bindingValues(b: TensorBinding): Float32Array {
  const groups = b.tensor.node.op.kind === 'conv' ? b.tensor.node.op.groups : 1;
  const stored = b.source.toFloat32();
  if (b.layout === 'tf-conv-grouped') {
    const outside = outsideGroups(stored, b.tensor.shape, groups);
    if (outside >= 0) throw new WeightValueError(b, outside, stored[outside]!, 'outside groups');
  }
  const values = toCanonical(b.layout, stored, b.tensor.shape, groups);
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
