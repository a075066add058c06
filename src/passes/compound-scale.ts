/**
 * Compound scaling (Tan & Le 2019, section 3.3): depth d = alpha^phi, width w = beta^phi, resolution
 * r = gamma^phi, with alpha * beta^2 * gamma^2 ~ 2 so that MACs grow about 2^phi. Or explicit d, w, r; or an
 * input size given directly (the official B1-B7 table). One pure pass: spec in, scaled spec out.
 *
 * Which layers scale is the spec's choice, per layer: `width scaled` (default), `fixed`, or `grow` (only
 * when w > 1, MobileNetV2's last conv); `depth scaled` (default) or `fixed`.
 */
import { diagnostic, type Diagnostic, type StageResult } from '../diagnostics/diagnostic.js';
import type { LayerSpec, ModelSpec } from '../ir/spec.js';
import { roundChannels, roundRepeats, roundResolution } from './round-channels.js';

export interface ScalingRequest {
  readonly phi?: number;
  readonly alpha?: number;
  readonly beta?: number;
  readonly gamma?: number;
  readonly width?: number;
  readonly depth?: number;
  /** Resolution multiplier r. */
  readonly resolution?: number;
  /** Input height and width in pixels, instead of a multiplier. */
  readonly inputSize?: number;
}

/** The multipliers a request resolves to, before rounding. */
export interface Multipliers {
  readonly phi?: number;
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
  readonly width: number;
  readonly depth: number;
  readonly resolution: number;
}

/** How far alpha * beta^2 * gamma^2 may stray from 2 before a warning (the paper's own 1.92 is fine). */
const PRODUCT_TOLERANCE = 0.1;

export function resolveMultipliers(spec: ModelSpec, req: ScalingRequest): StageResult<Multipliers> {
  const diagnostics: Diagnostic[] = [];
  const alpha = req.alpha ?? spec.scaling.alpha;
  const beta = req.beta ?? spec.scaling.beta;
  const gamma = req.gamma ?? spec.scaling.gamma;
  // A value given in the request (command-line flags) has no place in the file: point at the model's name.
  const at = (key: 'alpha' | 'beta' | 'gamma') => (req[key] === undefined ? spec.scaling.spans[key] : undefined) ?? spec.spans.name ?? spec.span;
  if (req.phi !== undefined) {
    for (const [name, v] of [['alpha', alpha], ['beta', beta], ['gamma', gamma]] as const) {
      if (!(v >= 1)) diagnostics.push(diagnostic('E0501', at(name), { name, value: String(v) }, name));
    }
    const product = alpha * beta * beta * gamma * gamma;
    if (diagnostics.length === 0 && Math.abs(product - 2) > 2 * PRODUCT_TOLERANCE) {
      const from = (['alpha', 'beta', 'gamma'] as const).find((k) => req[k] !== undefined) ?? 'alpha';
      diagnostics.push(diagnostic('W0502', at(from), { product: product.toFixed(3) }, from));
    }
    if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
    return {
      value: { phi: req.phi, alpha, beta, gamma, depth: alpha ** req.phi, width: beta ** req.phi, resolution: gamma ** req.phi },
      diagnostics,
    };
  }
  const resolution = req.inputSize !== undefined ? req.inputSize / spec.input.height : (req.resolution ?? 1);
  return { value: { alpha, beta, gamma, width: req.width ?? 1, depth: req.depth ?? 1, resolution }, diagnostics };
}

/** Stem and head layers are single layers: only their width scales. */
function scaleLayer(layer: LayerSpec, m: Multipliers, spec: ModelSpec, repeatable = false): LayerSpec {
  const w = layer.width === 'fixed' ? 1 : layer.width === 'grow' ? Math.max(1, m.width) : m.width;
  return {
    ...layer,
    ...(layer.channels !== undefined ? { channels: roundChannels(layer.channels, w, spec.scaling) } : {}),
    ...(layer.mid !== undefined ? { mid: roundChannels(layer.mid, w, spec.scaling) } : {}),
    repeats: layer.depth === 'fixed' || !repeatable ? layer.repeats : roundRepeats(layer.repeats, m.depth),
  };
}

/** Applies the request to every layer; the identity request returns the spec unchanged. */
export function compoundScale(spec: ModelSpec, req: ScalingRequest | undefined): StageResult<ModelSpec> {
  if (!req) return { value: spec, diagnostics: [] };
  const resolved = resolveMultipliers(spec, req);
  if (!resolved.value) return { diagnostics: resolved.diagnostics };
  const m = resolved.value;
  const size = (px: number) => (req.inputSize !== undefined ? req.inputSize : roundResolution(px, m.resolution, spec.scaling.resolutionDivisor));
  const scaled: ModelSpec = {
    ...spec,
    input: { ...spec.input, height: size(spec.input.height), width: req.inputSize ?? roundResolution(spec.input.width, m.resolution, spec.scaling.resolutionDivisor) },
    stem: spec.stem.map((l) => scaleLayer(l, m, spec)),
    stages: spec.stages.map((l) => scaleLayer(l, m, spec, true)),
    head: spec.head.map((l) => scaleLayer(l, m, spec)),
    applied: {
      ...spec.applied,
      ...(m.phi !== undefined ? { phi: m.phi, alpha: m.alpha, beta: m.beta, gamma: m.gamma } : {}),
      width: m.width,
      depth: m.depth,
      resolution: m.resolution,
    },
  };
  return { value: scaled, diagnostics: resolved.diagnostics };
}
