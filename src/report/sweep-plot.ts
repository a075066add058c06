/**
 * The plot of `effnet scale --sweep --plot`: three panels over phi, each with its own labelled axis. MACs as
 * measured beside the rule's prediction MACs(0) x (alpha beta^2 gamma^2)^phi; parameters; and the multipliers
 * d = alpha^phi, w = beta^phi, r = gamma^phi. A spec with a variants table (EfficientNet's official B1-B7)
 * gets its members as points, each at the phi whose predicted MACs equal its own.
 */
import type { SweepRow, VariantPoint } from '../search/scaling-search.js';
import { colours } from './html-page.js';
import { chartSvg, type Series } from './plot-svg.js';

export interface SweepPlot {
  readonly model: string;
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
  readonly rows: readonly SweepRow[];
  readonly variants: readonly VariantPoint[];
}

const multiplierColours = { depth: '#2ca02c', width: '#9467bd', resolution: '#e67e22' } as const;

/** Evenly spaced points from a to b, for smooth curves. */
const span = (a: number, b: number, n = 48) => Array.from({ length: n + 1 }, (_, i) => a + ((b - a) * i) / n);

export function sweepPlotSvg(p: SweepPlot): string {
  const product = p.alpha * p.beta ** 2 * p.gamma ** 2;
  const phis = [...p.rows.map((r) => r.phi), ...p.variants.map((v) => v.phi)];
  const [lo, hi] = [Math.min(...phis), Math.max(...phis)];
  const base = p.rows[0]!.total.macs / p.rows[0]!.macsRatio;
  const variantSeries = (name: string, color: string, value: (v: VariantPoint) => number): Series[] =>
    p.variants.length ? [{ name, color, style: 'points', points: p.variants.map((v) => [v.phi, value(v)]) }] : [];
  const sweepPhis = p.rows.map((r) => r.phi);
  return chartSvg({
    title: `${p.model}: compound scaling`,
    note: `alpha ${p.alpha}, beta ${p.beta}, gamma ${p.gamma}: alpha·beta²·gamma² = ${product.toFixed(3)}${p.variants.length ? '; variants at the phi whose predicted MACs equal theirs' : ''}`,
    xLabel: 'phi',
    ...(sweepPhis.length <= 16 ? { xTicks: [...new Set(sweepPhis)].sort((a, b) => a - b) } : {}),
    guides: p.variants.map((v) => ({ x: v.phi, label: v.name })),
    panels: [
      {
        yLabel: 'MACs (log scale)',
        scale: 'log',
        series: [
          { name: 'MACs', color: colours.macs, points: p.rows.map((r) => [r.phi, r.total.macs]) },
          { name: 'predicted (αβ²γ²)^φ', color: '#6b7280', style: 'dashed', points: span(lo, hi).map((x) => [x, base * product ** x]) },
          ...variantSeries('variants', colours.macs, (v) => v.total.macs),
        ],
      },
      {
        yLabel: 'parameters (log scale)',
        scale: 'log',
        series: [
          { name: 'parameters', color: colours.params, points: p.rows.map((r) => [r.phi, r.total.params]) },
          ...variantSeries('variants', colours.params, (v) => v.total.params),
        ],
      },
      {
        yLabel: 'multiplier',
        scale: 'linear',
        format: (v) => String(+v.toPrecision(3)),
        series: [
          { name: 'depth d = α^φ', color: multiplierColours.depth, style: 'curve', points: span(lo, hi).map((x) => [x, p.alpha ** x]) },
          { name: 'width w = β^φ', color: multiplierColours.width, style: 'curve', points: span(lo, hi).map((x) => [x, p.beta ** x]) },
          { name: 'resolution r = γ^φ', color: multiplierColours.resolution, style: 'curve', points: span(lo, hi).map((x) => [x, p.gamma ** x]) },
          ...variantSeries("variants' d", multiplierColours.depth, (v) => v.depth),
          ...variantSeries("variants' w", multiplierColours.width, (v) => v.width),
          ...variantSeries("variants' r", multiplierColours.resolution, (v) => v.resolution),
        ],
      },
    ],
  });
}
