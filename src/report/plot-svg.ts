/**
 * A standalone SVG line chart with a logarithmic y axis: MACs and parameters against phi for
 * `effnet scale --sweep --plot`. No fonts or scripts are loaded; it renders anywhere.
 */
export interface Series {
  readonly name: string;
  readonly color: string;
  readonly points: readonly (readonly [number, number])[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function siTick(v: number): string {
  for (const [s, u] of [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'K']] as const) if (v >= s) return `${+(v / s).toPrecision(3)}${u}`;
  return String(v);
}

export function lineChartSvg(title: string, xLabel: string, series: readonly Series[]): string {
  const W = 640;
  const H = 400;
  const m = { l: 70, r: 20, t: 40, b: 50 };
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]).filter((y) => y > 0);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs) === Math.min(...xs) ? Math.min(...xs) + 1 : Math.max(...xs)];
  const [e0, e1] = [Math.floor(Math.log10(Math.min(...ys))), Math.ceil(Math.log10(Math.max(...ys)))];
  const ey1 = e1 === e0 ? e0 + 1 : e1;
  const px = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const py = (y: number) => H - m.b - ((Math.log10(y) - e0) / (ey1 - e0)) * (H - m.t - m.b);
  const f = (n: number) => n.toFixed(1);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`,
  ];
  for (let e = e0; e <= ey1; e++) {
    const y = py(10 ** e);
    out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${f(y)}" y2="${f(y)}" stroke="#ddd"/>`, `<text x="${m.l - 6}" y="${f(y + 4)}" text-anchor="end">${siTick(10 ** e)}</text>`);
  }
  for (const x of [...new Set(xs)].sort((a, b) => a - b)) {
    out.push(`<line x1="${f(px(x))}" x2="${f(px(x))}" y1="${H - m.b}" y2="${H - m.b + 5}" stroke="#333"/>`, `<text x="${f(px(x))}" y="${H - m.b + 18}" text-anchor="middle">${x}</text>`);
  }
  out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="#333"/>`, `<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" stroke="#333"/>`);
  out.push(`<text x="${W / 2}" y="${H - 12}" text-anchor="middle">${esc(xLabel)}</text>`);
  series.forEach((s, i) => {
    const pts = s.points.filter((p) => p[1] > 0).map((p) => `${f(px(p[0]))},${f(py(p[1]))}`).join(' ');
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts}"/>`);
    for (const p of s.points) if (p[1] > 0) out.push(`<circle cx="${f(px(p[0]))}" cy="${f(py(p[1]))}" r="3" fill="${s.color}"/>`);
    out.push(`<rect x="${m.l + 12}" y="${m.t + 6 + i * 18}" width="12" height="12" fill="${s.color}"/>`, `<text x="${m.l + 30}" y="${m.t + 16 + i * 18}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
