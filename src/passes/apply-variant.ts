/**
 * Picks one member of a spec's family: applies a variant's structural overrides (operator, repeats, classes,
 * dropout) and returns the scaling it asks for, which compound-scale applies next.
 */
import { diagnostic, type StageResult } from '../diagnostics/diagnostic.js';
import { nearestName } from '../diagnostics/nearest-name.js';
import type { ModelSpec, VariantSpec } from '../ir/spec.js';
import type { ScalingRequest } from './compound-scale.js';

export interface Variant {
  readonly spec: ModelSpec;
  readonly scaling?: ScalingRequest;
}

/** The scaling a variant sets, if any (width, depth, resolution or phi). */
export function variantScaling(v: VariantSpec): ScalingRequest | undefined {
  if (v.phi !== undefined) return { phi: v.phi };
  if (v.width === undefined && v.depth === undefined && v.resolution === undefined) return undefined;
  return {
    ...(v.width !== undefined ? { width: v.width } : {}),
    ...(v.depth !== undefined ? { depth: v.depth } : {}),
    ...(v.resolution !== undefined ? { inputSize: v.resolution } : {}),
  };
}

export function applyVariant(spec: ModelSpec, name: string | undefined): StageResult<Variant> {
  if (name === undefined) return { value: { spec }, diagnostics: [] };
  const v = spec.variants.find((x) => x.name === name);
  if (!v) {
    const valid = spec.variants.map((x) => x.name);
    const span = spec.spans.name ?? spec.span;
    return { diagnostics: [diagnostic('E0309', span, { name, suggestion: nearestName(name, valid), valid: valid.length ? valid : ['(this spec defines no variants)'] }, 'variant')] };
  }
  const stages = spec.stages.map((s, i) => ({
    ...s,
    ...(v.operator !== undefined ? { op: v.operator } : {}),
    ...(v.repeats !== undefined ? { repeats: v.repeats[i]! } : {}),
  }));
  const classifier = spec.classifier && v.dropout !== undefined ? { ...spec.classifier, dropout: v.dropout } : spec.classifier;
  const scaling = variantScaling(v);
  return {
    value: {
      spec: {
        ...spec,
        stages,
        ...(classifier ? { classifier } : {}),
        ...(v.classes !== undefined ? { classes: v.classes } : {}),
        applied: { ...spec.applied, variant: name },
      },
      ...(scaling ? { scaling } : {}),
    },
    diagnostics: [],
  };
}
