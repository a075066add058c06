/**
 * Standalone SVG charts: one or more panels stacked over a shared x axis, each with its own labelled y axis
 * (log or linear), lines, dashed predictions and labelled points, and a legend beside it. No fonts, scripts or
 * links are loaded, so a chart renders anywhere (a browser, an editor preview, inline in an HTML page).
 */
export interface Series {
  readonly name: string;
  readonly color: string;
  readonly points: readonly (readonly [number, number])[];
  /**
   * 'line': a line through dots, for measurements (default); 'curve': a line alone, for a formula; 'dashed': a
   * dashed line, for a prediction; 'points': hollow markers only.
   */
  readonly style?: 'line' | 'curve' | 'dashed' | 'points';
}

export interface Panel {
  /** The y axis' title, with its unit. */
  readonly yLabel: string;
  readonly scale: 'log' | 'linear';
  readonly series: readonly Series[];
  /** Tick labels (default: 1.2M, 350K, 0.5). */
  readonly format?: (v: number) => string;
}

export interface Guide {
  readonly x: number;
  readonly label: string;
}

export interface Chart {
  readonly title: string;
  /** A line under the title. */
  readonly note?: string;
  readonly xLabel: string;
  readonly panels: readonly Panel[];
  /** Where the x ticks go (default: evenly spaced round numbers). */
  readonly xTicks?: readonly number[];
  /** Labelled vertical lines across every panel (the official variants of a family). */
  readonly guides?: readonly Guide[];
  readonly width?: number;
  readonly panelHeight?: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const f = (n: number) => n.toFixed(1);

/** 1.2M, 350K, 0.5: compact tick labels. */
export function tickLabel(v: number): string {
  for (const [s, u] of [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'K']] as const) if (Math.abs(v) >= s) return `${+(v / s).toPrecision(3)}${u}`;
  return String(+v.toPrecision(3));
}

/** A round step near `span / count`: 1, 2 or 5 times a power of ten. */
function niceStep(span: number, count: number): number {
  const raw = span / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
}

function linearTicks(lo: number, hi: number, count = 5): { lo: number; hi: number; ticks: number[] } {
  if (hi <= lo) hi = lo + 1;
  const step = niceStep(hi - lo, count);
  const a = Math.floor(lo / step) * step;
  const b = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let v = a; v <= b + step / 2; v += step) ticks.push(+v.toPrecision(12));
  return { lo: a, hi: b, ticks };
}

/** Ticks at 1, 2 and 5 times powers of ten inside the range (only the powers when it spans many decades). */
function logTicks(lo: number, hi: number): number[] {
  const e0 = Math.floor(Math.log10(lo));
  const e1 = Math.ceil(Math.log10(hi));
  const mantissas = e1 - e0 > 4 ? [1] : e1 - e0 > 2 ? [1, 3] : [1, 2, 5];
  const out: number[] = [];
  for (let e = e0; e <= e1; e++) for (const m of mantissas) {
    const v = m * 10 ** e;
    if (v >= lo && v <= hi) out.push(v);
  }
  return out;
}

interface Axis {
  readonly map: (v: number) => number;
  readonly ticks: readonly number[];
}

function yAxis(panel: Panel, top: number, height: number): Axis {
  const ys = panel.series.flatMap((s) => s.points.map((p) => p[1])).filter((y) => Number.isFinite(y) && (panel.scale === 'linear' || y > 0));
  const min = ys.length ? Math.min(...ys) : 1;
  const max = ys.length ? Math.max(...ys) : 10;
  if (panel.scale === 'log') {
    // A little room above and below, in log space; at least a factor of 3 so flat series do not fill the panel.
    let lo = Math.log10(min) - 0.06 * Math.max(Math.log10(max / min), 0.5);
    let hi = Math.log10(max) + 0.06 * Math.max(Math.log10(max / min), 0.5);
    if (hi - lo < 0.5) [lo, hi] = [(lo + hi) / 2 - 0.25, (lo + hi) / 2 + 0.25];
    // Within about a decade, powers and their 2x, 5x are too few: round steps in value space read better.
    const ticks = hi - lo < 1.2 ? linearTicks(10 ** lo, 10 ** hi, 6).ticks.filter((v) => v >= 10 ** lo && v <= 10 ** hi) : logTicks(10 ** lo, 10 ** hi);
    return { map: (v) => top + height - ((Math.log10(v) - lo) / (hi - lo)) * height, ticks };
  }
  // From zero when the data comes near it; else from the data, so a series from 1 to 1.7 is not squashed.
  const t = linearTicks(min < 0.25 * max ? Math.min(0, min) : min, max);
  return { map: (v) => top + height - ((v - t.lo) / (t.hi - t.lo)) * height, ticks: t.ticks };
}

function diamond(x: number, y: number, color: string): string {
  return `<path d="M${f(x)},${f(y - 5)} L${f(x + 5)},${f(y)} L${f(x)},${f(y + 5)} L${f(x - 5)},${f(y)} Z" fill="white" stroke="${color}" stroke-width="1.8"/>`;
}

export function chartSvg(chart: Chart): string {
  const W = chart.width ?? 760;
  const PH = chart.panelHeight ?? 200;
  const m = { l: 86, r: 200, t: chart.note ? 62 : 46, b: 54 };
  const guideRows = chart.guides?.length ? 2 : 0;
  const top0 = m.t + guideRows * 13;
  const panelGap = 30;
  const H = top0 + chart.panels.length * PH + (chart.panels.length - 1) * panelGap + m.b;
  const plotW = W - m.l - m.r;

  const xs = [...chart.panels.flatMap((p) => p.series.flatMap((s) => s.points.map((q) => q[0]))), ...(chart.guides ?? []).map((g) => g.x)];
  let x0 = Math.min(...xs);
  let x1 = Math.max(...xs);
  if (x1 === x0) [x0, x1] = [x0 - 0.5, x1 + 0.5];
  const pad = 0.03 * (x1 - x0);
  const [dx0, dx1] = [x0 - pad, x1 + pad];
  const px = (x: number) => m.l + ((x - dx0) / (dx1 - dx0)) * plotW;
  const xTicks = chart.xTicks ?? linearTicks(x0, x1, 8).ticks.filter((t) => t >= dx0 && t <= dx1);

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12" role="img">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${f(W / 2)}" y="24" text-anchor="middle" font-size="15" font-weight="bold" fill="#1d2330">${esc(chart.title)}</text>`,
  ];
  if (chart.note) out.push(`<text x="${f(W / 2)}" y="42" text-anchor="middle" font-size="11.5" fill="#5b6475">${esc(chart.note)}</text>`);

  // Guide labels above the first panel, in two staggered rows when they would touch.
  let lastX = [-Infinity, -Infinity];
  const guideRow = new Map<Guide, number>();
  for (const g of [...(chart.guides ?? [])].sort((a, b) => a.x - b.x)) {
    const x = px(g.x);
    const row = x - lastX[0]! >= 8 * g.label.length + 6 ? 0 : 1;
    lastX[row] = x;
    guideRow.set(g, row);
    out.push(`<text x="${f(x)}" y="${top0 - 6 - (1 - row) * 13}" text-anchor="middle" font-size="11" fill="#6b4f00">${esc(g.label)}</text>`);
  }
  lastX = [];

  chart.panels.forEach((panel, k) => {
    const top = top0 + k * (PH + panelGap);
    const bottom = top + PH;
    const y = yAxis(panel, top, PH);
    const fmt = panel.format ?? tickLabel;
    out.push(`<rect x="${m.l}" y="${top}" width="${plotW}" height="${PH}" fill="#fcfcfd" stroke="#d5d9e0"/>`);
    for (const t of y.ticks) {
      const ty = y.map(t);
      if (ty < top - 0.5 || ty > bottom + 0.5) continue;
      out.push(`<line x1="${m.l}" x2="${m.l + plotW}" y1="${f(ty)}" y2="${f(ty)}" stroke="#e6e8ec"/>`, `<text x="${m.l - 6}" y="${f(ty + 4)}" text-anchor="end" fill="#333">${esc(fmt(t))}</text>`);
    }
    for (const t of xTicks) {
      const tx = px(t);
      out.push(`<line x1="${f(tx)}" x2="${f(tx)}" y1="${top}" y2="${bottom}" stroke="#eef0f3"/>`);
      out.push(`<line x1="${f(tx)}" x2="${f(tx)}" y1="${bottom}" y2="${bottom + 4}" stroke="#333"/>`);
      if (k === chart.panels.length - 1) out.push(`<text x="${f(tx)}" y="${bottom + 17}" text-anchor="middle" fill="#333">${esc(String(t))}</text>`);
    }
    for (const g of chart.guides ?? []) out.push(`<line x1="${f(px(g.x))}" x2="${f(px(g.x))}" y1="${top}" y2="${bottom}" stroke="#c9a227" stroke-dasharray="2 3"/>`);
    const mid = top + PH / 2;
    out.push(`<text x="20" y="${f(mid)}" transform="rotate(-90 20 ${f(mid)})" text-anchor="middle" font-size="13" fill="#1d2330">${esc(panel.yLabel)}</text>`);

    panel.series.forEach((s, i) => {
      const pts = s.points.filter((p) => Number.isFinite(p[1]) && (panel.scale === 'linear' || p[1] > 0));
      const coords = pts.map((p) => `${f(px(p[0]))},${f(y.map(p[1]))}`).join(' ');
      const style = s.style ?? 'line';
      if (style !== 'points' && pts.length > 1) out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${style === 'dashed' ? ' stroke-dasharray="6 4"' : ''} points="${coords}"/>`);
      if (style === 'line') for (const p of pts) out.push(`<circle cx="${f(px(p[0]))}" cy="${f(y.map(p[1]))}" r="3" fill="${s.color}"/>`);
      if (style === 'points') for (const p of pts) out.push(diamond(px(p[0]), y.map(p[1]), s.color));
      // The legend, right of the panel.
      const ly = top + 14 + i * 18;
      const lx = m.l + plotW + 14;
      if (style === 'points') out.push(diamond(lx + 10, ly - 4, s.color));
      else out.push(`<line x1="${lx}" x2="${lx + 20}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${style === 'dashed' ? ' stroke-dasharray="6 4"' : ''}/>`);
      out.push(`<text x="${lx + 28}" y="${ly}" fill="#1d2330">${esc(s.name)}</text>`);
    });
  });
  out.push(`<text x="${f(m.l + plotW / 2)}" y="${H - 14}" text-anchor="middle" font-size="13" fill="#1d2330">${esc(chart.xLabel)}</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
