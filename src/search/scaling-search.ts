/**
 * Searches over compound scaling, built on the pipeline's `instantiate`: a sweep over phi, the largest phi
 * that fits a MACs or parameter budget, and the paper's step 1, a grid over alpha, beta, gamma.
 */
import { hasErrors, type Diagnostic, type StageResult } from '../diagnostics/diagnostic.js';
import type { ModelSpec } from '../ir/spec.js';
import { instantiate, type Compilation, type CompileOptions } from '../pipeline.js';
import type { Cost } from '../report/cost.js';
import type { SourceFile } from '../source/source-file.js';

export interface SweepRow {
  readonly phi: number;
  readonly depth: number;
  readonly width: number;
  readonly resolution: number;
  readonly inputSize: number;
  readonly total: Cost;
  /** MACs relative to phi = 0. */
  readonly macsRatio: number;
  /** (alpha * beta^2 * gamma^2)^phi: what the paper's rule predicts for macsRatio. */
  readonly idealRatio: number;
}

export interface SearchBase {
  readonly spec: ModelSpec;
  readonly file: SourceFile;
  /** Options other than scaling (variant, max params). */
  readonly options: CompileOptions;
  readonly alpha?: number;
  readonly beta?: number;
  readonly gamma?: number;
}

/** A search's answer, or the diagnostics of the model that stopped it. */
export type SearchResult<T> = StageResult<T>;

function atPhi(base: SearchBase, phi: number): Compilation {
  const scaling = { phi, ...(base.alpha !== undefined ? { alpha: base.alpha } : {}), ...(base.beta !== undefined ? { beta: base.beta } : {}), ...(base.gamma !== undefined ? { gamma: base.gamma } : {}) };
  return instantiate(base.spec, { ...base.options, scaling }, base.file);
}

/** Parses "0..7", "0..3:0.5", "-2..2" or "0,1,2.5"; phi below 0 scales down. */
export function parsePhiRange(text: string): number[] | undefined {
  const range = /^(-?\d+(?:\.\d+)?)\.\.(-?\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?))?$/.exec(text.trim());
  if (range) {
    const [from, to, step] = [Number(range[1]), Number(range[2]), Number(range[3] ?? 1)];
    if (!(step > 0) || to < from || from < MIN_PHI || (to - from) / step > 1000) return undefined;
    const out: number[] = [];
    for (let i = 0; from + i * step <= to + 1e-9; i++) out.push(Math.round((from + i * step) * 1e6) / 1e6);
    return out;
  }
  const list = text.split(',').map(Number);
  return list.length > 0 && list.every((x) => Number.isFinite(x) && x >= MIN_PHI) ? list : undefined;
}

export function sweep(base: SearchBase, phis: readonly number[]): SearchResult<SweepRow[]> {
  const rows: SweepRow[] = [];
  const diagnostics: Diagnostic[] = [];
  const zero = atPhi(base, 0);
  if (!zero.report) return { diagnostics: zero.diagnostics };
  for (const phi of phis) {
    const c = atPhi(base, phi);
    diagnostics.push(...c.diagnostics.filter((d) => !diagnostics.some((x) => x.code === d.code && x.message === d.message)));
    if (!c.report || hasErrors(c.diagnostics)) return { diagnostics };
    const a = c.scaled!.applied;
    const s = base.spec.scaling;
    const product = (base.alpha ?? s.alpha) * (base.beta ?? s.beta) ** 2 * (base.gamma ?? s.gamma) ** 2;
    rows.push({
      phi,
      depth: a.depth,
      width: a.width,
      resolution: a.resolution,
      inputSize: c.scaled!.input.height,
      total: c.report.total,
      macsRatio: c.report.total.macs / zero.report.total.macs,
      idealRatio: product ** phi,
    });
  }
  return { value: rows, diagnostics };
}

/** A member of the spec's variants table, costed, for the sweep plot. */
export interface VariantPoint {
  readonly name: string;
  /** The phi at which the rule's prediction, MACs(0) x (alpha beta^2 gamma^2)^phi, equals its MACs. */
  readonly phi: number;
  readonly depth: number;
  readonly width: number;
  readonly resolution: number;
  readonly total: Cost;
}

/**
 * The variants that are scalings of the base (they set width, depth, resolution or phi, and change no
 * operator, repeats or classes): the official B1-B7 of EfficientNet, the width multipliers of MobileNet.
 * Each is placed at the phi the rule would give its MACs, so the plot shows how far the table is from
 * alpha^phi, beta^phi, gamma^phi.
 */
export function variantPoints(base: SearchBase): SearchResult<VariantPoint[]> {
  if (base.options.variant !== undefined) return { value: [], diagnostics: [] };
  const zero = atPhi(base, 0);
  if (!zero.report) return { diagnostics: zero.diagnostics };
  const s = base.spec.scaling;
  const product = (base.alpha ?? s.alpha) * (base.beta ?? s.beta) ** 2 * (base.gamma ?? s.gamma) ** 2;
  if (!(product > 1)) return { value: [], diagnostics: [] };
  const out: VariantPoint[] = [];
  for (const v of base.spec.variants) {
    const scales = v.width !== undefined || v.depth !== undefined || v.resolution !== undefined || v.phi !== undefined;
    if (!scales || v.operator !== undefined || v.repeats !== undefined || v.classes !== undefined) continue;
    const c = instantiate(base.spec, { ...base.options, variant: v.name }, base.file);
    if (!c.report || hasErrors(c.diagnostics)) return { diagnostics: c.diagnostics };
    const a = c.scaled!.applied;
    out.push({
      name: v.name,
      phi: Math.log(c.report.total.macs / zero.report.total.macs) / Math.log(product),
      depth: a.depth,
      width: a.width,
      resolution: a.resolution,
      total: c.report.total,
    });
  }
  return { value: out, diagnostics: [] };
}

export interface Budget {
  readonly macs?: number;
  readonly params?: number;
}

const fits = (c: Compilation, b: Budget) =>
  c.report !== undefined && (b.macs === undefined || c.report.total.macs <= b.macs) && (b.params === undefined || c.report.total.params <= b.params);

/** How far down a budget search goes: alpha^-10 = 0.16, beta^-10 = 0.39, gamma^-10 = 0.25 of the spec. */
export const MIN_PHI = -10;

export interface FoundPhi {
  readonly phi: number;
  readonly compilation: Compilation;
  readonly evaluations: number;
  readonly limitedBy?: Diagnostic | 'maxPhi';
}

/**
 * The largest phi, to 0.01, whose rounded model fits the budget. Rounding makes cost a step function of phi
 * (not strictly monotone), so after the bisection a short window above the boundary is scanned too. When the
 * spec as written is already over the budget, phi goes below 0 and scales it down (MobileNet-style: a smaller
 * member of a family), as far as MIN_PHI; past that, `smallest` is the model at MIN_PHI.
 */
export function largestPhiWithin(base: SearchBase, budget: Budget, maxPhi = 20): SearchResult<FoundPhi> & { smallest?: Compilation } {
  let evaluations = 0;
  const at = (hundredths: number) => {
    evaluations++;
    return atPhi(base, hundredths / 100);
  };
  const zero = at(0);
  if (!zero.report) return { diagnostics: zero.diagnostics };
  let loH: number;
  let hiH: number;
  if (fits(zero, budget)) {
    let lo = 0;
    let hi = 1;
    while (hi <= maxPhi * 100 && fits(at(hi * 100), budget)) {
      lo = hi * 100;
      hi *= 2;
    }
    hiH = Math.min(hi * 100, maxPhi * 100 + 1);
    loH = lo;
  } else {
    // Scaling down: step to -1, -2, -4, ... until a model fits; a model that cannot be built stops the search.
    hiH = 0;
    let step = 1;
    for (;;) {
      const h = Math.max(-step * 100, MIN_PHI * 100);
      const c = at(h);
      if (!c.report) return { diagnostics: c.diagnostics };
      if (fits(c, budget)) {
        loH = h;
        break;
      }
      if (h === MIN_PHI * 100) return { diagnostics: [], smallest: c };
      hiH = h;
      step *= 2;
    }
  }
  while (hiH - loH > 1) {
    const mid = Math.floor((loH + hiH) / 2);
    if (fits(at(mid), budget)) loH = mid;
    else hiH = mid;
  }
  for (let h = hiH; h <= hiH + 10 && h <= maxPhi * 100; h++) if (fits(at(h), budget)) loH = h;
  // Say when the search stopped at a refusal (parameter ceiling, tensor size) or at maxPhi, not at the budget.
  const next = loH < maxPhi * 100 ? at(loH + 1) : undefined;
  const refusal = next?.diagnostics.find((d) => d.severity === 'error');
  const limitedBy = next === undefined ? ('maxPhi' as const) : refusal;
  return { value: { phi: loH / 100, compilation: at(loH), evaluations, ...(limitedBy ? { limitedBy } : {}) }, diagnostics: [] };
}

export interface GridCandidate {
  /** Its place in the grid's order (fewest MACs first, then alpha, then beta): what `grid --candidate K` names. */
  readonly index: number;
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
  readonly product: number;
  readonly total: Cost;
}

export interface GridOptions {
  readonly step: number;
  /** Keep alpha * beta^2 * gamma^2 within this of 2. */
  readonly tolerance: number;
}

/**
 * The paper's step 1: every alpha, beta, gamma >= 1 on the grid whose product is near 2, costed at phi = 1,
 * cheapest first. The order is part of the answer: an array job's task K evaluates candidate K, so it must
 * not depend on anything but the spec and the grid settings.
 */
export function gridCandidates(base: SearchBase, o: GridOptions): SearchResult<GridCandidate[]> {
  const out: Omit<GridCandidate, 'index'>[] = [];
  const steps = (max: number) => Array.from({ length: Math.floor((max - 1) / o.step + 1e-9) + 1 }, (_, i) => Math.round((1 + i * o.step) * 1e6) / 1e6);
  for (const alpha of steps(2 + o.tolerance)) {
    for (const beta of steps(Math.sqrt(2 + o.tolerance))) {
      for (const gamma of steps(Math.sqrt(2 + o.tolerance))) {
        const product = alpha * beta * beta * gamma * gamma;
        if (Math.abs(product - 2) > o.tolerance + 1e-12) continue;
        const c = instantiate(base.spec, { ...base.options, scaling: { phi: 1, alpha, beta, gamma } }, base.file);
        if (!c.report) return { diagnostics: c.diagnostics };
        out.push({ alpha, beta, gamma, product, total: c.report.total });
      }
    }
  }
  out.sort((a, b) => a.total.macs - b.total.macs || a.alpha - b.alpha || a.beta - b.beta || a.gamma - b.gamma);
  return { value: out.map((c, index) => ({ index, ...c })), diagnostics: [] };
}
