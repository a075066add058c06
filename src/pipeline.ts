/**
 * The compiler's stages, in order. The only place that orders them; each is a pure function of the one
 * before, and the pipeline stops after the first stage that reports an error.
 *
 *   bytes → decode → parse (tokens, CST, AST) → lower (spec IR, checks) → applyVariant → compoundScale
 *         → estimateSize (refuse oversized models cheaply) → expandRepeats → inferShapes (shaped graph)
 *         → costReport → [backend.emit]
 */
import { diagnostic, hasErrors, type Diagnostic } from './diagnostics/diagnostic.js';
import type { Graph } from './ir/graph.js';
import { lower } from './ir/lower.js';
import type { ModelSpec } from './ir/spec.js';
import { applyVariant } from './passes/apply-variant.js';
import { compoundScale, type ScalingRequest } from './passes/compound-scale.js';
import { estimateSize } from './passes/estimate-size.js';
import { expandRepeats } from './passes/expand-repeats.js';
import { inferShapes } from './passes/infer-shapes.js';
import { costReport, type CostReport } from './report/cost.js';
import { decodeSource } from './source/decode.js';
import type { SourceFile } from './source/source-file.js';
import type { Parsed } from './syntax/parse.js';
import { parse } from './syntax/parse.js';

export interface CompileOptions {
  /** A member of the spec's variants table. */
  readonly variant?: string;
  /** Compound or explicit scaling; exclusive with a variant that sets its own. */
  readonly scaling?: ScalingRequest;
  /** Refuse models with more trainable parameters than this (checked before any weights exist). */
  readonly maxParams?: number;
}

export const DEFAULT_MAX_PARAMS = 2e9;
/** Far past any published network (ResNet-1001 has about 3,000 layers); beyond it the graph itself gets too big to hold. */
export const MAX_LAYERS = 100_000;
/** Below this many blocks, building the model is as cheap as estimating it. */
const ESTIMATE_FROM_BLOCKS = 1_000;

/** Everything the pipeline produced, up to where it stopped. */
export interface Compilation {
  readonly file: SourceFile;
  readonly diagnostics: readonly Diagnostic[];
  readonly parsed?: Parsed;
  /** The spec as written. */
  readonly spec?: ModelSpec;
  /** The spec after variant and scaling. */
  readonly scaled?: ModelSpec;
  readonly graph?: Graph;
  readonly report?: CostReport;
}

/** Runs the front end on a spec's bytes (or text). */
export function compile(name: string, source: Uint8Array | string, options: CompileOptions = {}): Compilation {
  const bytes = typeof source === 'string' ? new TextEncoder().encode(source) : source;
  const decoded = decodeSource(name, bytes);
  const file = decoded.file;
  const diagnostics: Diagnostic[] = [...decoded.diagnostics];
  const done = (partial: Omit<Compilation, 'file' | 'diagnostics'>): Compilation => ({ file, diagnostics, ...partial });
  if (!decoded.value) return done({});

  const parsed = parse(file);
  diagnostics.push(...parsed.diagnostics);
  if (!parsed.value) return done({});

  const lowered = lower(parsed.value.ast);
  diagnostics.push(...lowered.diagnostics);
  if (!lowered.value) return done({ parsed: parsed.value });
  const spec = lowered.value;
  const rest = instantiate(spec, options, file);
  return { ...rest, parsed: parsed.value, spec, diagnostics: [...diagnostics, ...rest.diagnostics] };
}

/** From a checked spec to a shaped, costed graph: the part `scale` and `grid` run many times. */
export function instantiate(spec: ModelSpec, options: CompileOptions, file: SourceFile): Compilation {
  const diagnostics: Diagnostic[] = [];
  const done = (partial: Omit<Compilation, 'file' | 'diagnostics'>): Compilation => ({ file, diagnostics, spec, ...partial });

  const variant = applyVariant(spec, options.variant);
  diagnostics.push(...variant.diagnostics);
  if (!variant.value) return done({});
  // An input size alone combines with a variant's own scaling (B3 at 224 px, a --resolutions sweep of B3);
  // any other multiplier would contradict the variant.
  const sizeOnly = options.scaling && Object.entries(options.scaling).every(([k, v]) => k === 'inputSize' || v === undefined);
  if (variant.value.scaling && options.scaling && !sizeOnly) {
    const v = spec.variants.find((x) => x.name === options.variant)!;
    diagnostics.push(diagnostic('E0505', v.spans.name ?? v.span, { variant: v.name }, 'variant'));
    return done({});
  }
  const request = variant.value.scaling && options.scaling ? { ...variant.value.scaling, ...options.scaling } : (options.scaling ?? variant.value.scaling);

  const scaled = compoundScale(variant.value.spec, request);
  diagnostics.push(...scaled.diagnostics);
  if (!scaled.value || hasErrors(diagnostics)) return done({});

  const limit = options.maxParams ?? DEFAULT_MAX_PARAMS;
  const tooBig = (params: number) => diagnostic('E0503', spec.spans.name ?? spec.span, { params: params.toLocaleString('en-US'), limit: limit.toLocaleString('en-US') });
  if (scaled.value.stages.reduce((n, s) => n + s.repeats, 0) > ESTIMATE_FROM_BLOCKS) {
    const size = estimateSize(scaled.value);
    if (size && size.params > limit) {
      diagnostics.push(tooBig(size.params));
      return done({ scaled: scaled.value });
    }
    if (size && size.layers > MAX_LAYERS) {
      diagnostics.push(diagnostic('E0506', spec.spans.name ?? spec.span, { layers: size.layers.toLocaleString('en-US'), limit: MAX_LAYERS.toLocaleString('en-US') }));
      return done({ scaled: scaled.value });
    }
  }

  const graph = inferShapes(scaled.value, expandRepeats(scaled.value));
  diagnostics.push(...graph.diagnostics);
  if (!graph.value || hasErrors(diagnostics)) return done({ scaled: scaled.value });

  const report = costReport(graph.value);
  if (report.total.params > limit) {
    diagnostics.push(tooBig(report.total.params));
    return done({ scaled: scaled.value, graph: graph.value });
  }
  return done({ scaled: scaled.value, graph: graph.value, report });
}
