/**
 * The compiler's stages, in order. The only place that orders them; each is a pure function of the one
 * before, and the pipeline stops after the first stage that reports an error.
 *
 *   bytes → decode → parse (tokens, CST, AST) → lower (spec IR, checks) → applyVariant → applyOverrides
 *         → compoundScale
 *         → checkSize (refuse oversized models before unrolling them) → expandRepeats → inferShapes
 *         (shaped graph) → costReport → checkParams → [backend.emit]
 */
import { diagnostic, hasErrors, MAX_DIAGNOSTICS, type Diagnostic } from './diagnostics/diagnostic.js';
import type { Graph } from './ir/graph.js';
import { lower } from './ir/lower.js';
import type { ModelSpec } from './ir/spec.js';
import { applyOverrides, type SpecOverrides } from './passes/apply-overrides.js';
import { applyVariant, type Variant } from './passes/apply-variant.js';
import { compoundScale, type ScalingRequest } from './passes/compound-scale.js';
import { checkParams, checkSize } from './passes/check-size.js';
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
  /** Padding, BN epsilon or classes set from the command line, over the spec's. */
  readonly overrides?: SpecOverrides;
}

export { DEFAULT_MAX_PARAMS, MAX_LAYERS } from './passes/check-size.js';

/** Everything the pipeline produced, up to where it stopped. */
export interface Compilation {
  readonly file: SourceFile;
  /** What the stages found, in order, at most MAX_DIAGNOSTICS of them. */
  readonly diagnostics: readonly Diagnostic[];
  /** How many more were found than `diagnostics` holds (0 when the list is complete). */
  readonly diagnosticsDropped?: number;
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
  const found = new Collected();
  const done = (partial: Omit<Compilation, 'file' | 'diagnostics'>): Compilation => ({ file, ...found.result(), ...partial });
  found.add(decoded.diagnostics);
  if (!decoded.value) return done({});

  const parsed = parse(file);
  found.add(parsed.diagnostics);
  if (!parsed.value) return done({});

  const lowered = lower(parsed.value.ast);
  found.add(lowered.diagnostics);
  if (!lowered.value) return done({ parsed: parsed.value });
  const spec = lowered.value;
  const rest = instantiate(spec, options, file);
  found.add(rest.diagnostics);
  return { ...rest, parsed: parsed.value, spec, ...found.result() };
}

/** Diagnostics of every stage, kept up to MAX_DIAGNOSTICS; the rest are only counted. */
class Collected {
  private readonly list: Diagnostic[] = [];
  private dropped = 0;

  add(ds: readonly Diagnostic[]): void {
    // A loop, not push(...ds): a spread of 100k arguments overflows the stack.
    for (const d of ds) {
      if (this.list.length < MAX_DIAGNOSTICS) this.list.push(d);
      else this.dropped++;
    }
  }

  result(): { diagnostics: readonly Diagnostic[]; diagnosticsDropped?: number } {
    return this.dropped ? { diagnostics: this.list, diagnosticsDropped: this.dropped } : { diagnostics: this.list };
  }
}

/** From a checked spec to a shaped, costed graph: the part `scale` and `grid` run many times. */
export function instantiate(spec: ModelSpec, options: CompileOptions, file: SourceFile): Compilation {
  const diagnostics: Diagnostic[] = [];
  const done = (partial: Omit<Compilation, 'file' | 'diagnostics'>): Compilation => ({ file, diagnostics, spec, ...partial });

  const variant = applyVariant(spec, options.variant);
  diagnostics.push(...variant.diagnostics);
  if (!variant.value) return done({});

  const overridden = applyOverrides(variant.value.spec, options.overrides);
  diagnostics.push(...overridden.diagnostics);
  if (!overridden.value) return done({});

  const request = scalingRequest(spec, variant.value, options);
  diagnostics.push(...request.diagnostics);
  if (hasErrors(diagnostics)) return done({});

  const scaled = compoundScale(overridden.value, request.value);
  diagnostics.push(...scaled.diagnostics);
  if (!scaled.value || hasErrors(diagnostics)) return done({});

  diagnostics.push(...checkSize(scaled.value, options.maxParams));
  if (hasErrors(diagnostics)) return done({ scaled: scaled.value });

  const graph = inferShapes(scaled.value, expandRepeats(scaled.value));
  diagnostics.push(...graph.diagnostics);
  if (!graph.value || hasErrors(diagnostics)) return done({ scaled: scaled.value });

  const report = costReport(graph.value);
  diagnostics.push(...checkParams(scaled.value, report, options.maxParams));
  if (hasErrors(diagnostics)) return done({ scaled: scaled.value, graph: graph.value });
  return done({ scaled: scaled.value, graph: graph.value, report });
}

/**
 * The scaling to apply: the variant's, the caller's, or both when the caller gives only an input size (B3 at
 * 224 px, a --resolutions sweep of B3). Any other multiplier would contradict the variant (E0505).
 */
function scalingRequest(spec: ModelSpec, variant: Variant, options: CompileOptions): { value?: ScalingRequest; diagnostics: Diagnostic[] } {
  const own = variant.scaling;
  const asked = options.scaling;
  if (!own || !asked) return { ...(own ?? asked ? { value: own ?? asked } : {}), diagnostics: [] };
  const sizeOnly = Object.entries(asked).every(([k, v]) => k === 'inputSize' || v === undefined);
  if (sizeOnly) return { value: { ...own, ...asked }, diagnostics: [] };
  const v = spec.variants.find((x) => x.name === options.variant)!;
  return { diagnostics: [diagnostic('E0505', v.spans.name ?? v.span, { variant: v.name }, 'variant')] };
}
