/**
 * What every HTML page effnet writes shares: the document around a body, one inline style sheet, escaping,
 * and the small pieces (share bars, key-value tables, total cards). Pages are self-contained by design: no
 * scripts, nothing loaded from anywhere (no fonts, images or style sheets), so they open offline and diff.
 */

export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The colours of MACs and params, the same in bars, the network diagram and the plots. */
export const colours = { macs: '#d9534f', params: '#337ab7' } as const;

const style = `
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2em auto; max-width: 1100px; color: #1d2330; padding: 0 1em; }
  h1 { font-size: 1.6em; margin-bottom: 0.2em; }
  h2 { font-size: 1.15em; margin-top: 1.8em; border-bottom: 1px solid #e3e6eb; padding-bottom: 0.2em; }
  h3 { font-size: 1em; margin: 1.2em 0 0.4em; }
  .sub { color: #5b6475; }
  .cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 1.2em 0; }
  .card { border: 1px solid #e3e6eb; border-radius: 8px; padding: 10px 14px; min-width: 170px; background: #fafbfc; }
  .card .k { color: #5b6475; font-size: 0.85em; } .card .v { font-size: 1.3em; font-weight: 600; } .card .u { color: #5b6475; font-size: 0.85em; }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eef0f3; vertical-align: middle; }
  th { background: #f3f5f8; font-weight: 600; position: sticky; top: 0; }
  th.n, td.n { text-align: right; white-space: nowrap; }
  td.barcell { width: 14%; min-width: 80px; }
  td.muted, span.muted { color: #8a93a3; }
  .bar { height: 10px; border-radius: 3px; min-width: 1px; }
  .bar.macs { background: ${colours.macs}; } .bar.params { background: ${colours.params}; }
  .bar.b { opacity: 0.55; }
  .wide { overflow-x: auto; }
  table.compact { font-size: 0.9em; } table.compact th, table.compact td { padding: 3px 5px; }
  table.compact td.barcell { min-width: 60px; width: 9%; }
  td.name { overflow-wrap: anywhere; }
  .pair { display: flex; gap: 2em; flex-wrap: wrap; align-items: flex-start; }
  .pair > * { flex: 1 1 320px; }
  table.kv { width: auto; } table.kv td:first-child { color: #5b6475; padding-right: 1.5em; }
  tr.subtotal td { background: #f3f5f8; font-weight: 600; }
  tr.total td { background: #e9edf3; font-weight: 700; }
  details > summary { cursor: pointer; }
  details.section > summary { font-weight: 600; margin: 0.6em 0; }
  .plus { color: #1e7b34; } .minus { color: #b02a2a; }
  .diagram { overflow-x: auto; margin: 0.8em 0; }
  .diagram svg { display: block; }
  .tree details { margin: 2px 0; }
  /* Summaries are grids, so every stage's figures line up in columns; the marker is drawn by hand. */
  .tree summary { display: grid; grid-template-columns: 1.1em 7.5em minmax(27ch, 36ch) 19ch 11.5em 11.5em; align-items: center; column-gap: 0.6em; padding: 3px 6px; border-radius: 6px; list-style: none; }
  .tree .block > summary { grid-template-columns: 1.1em 12em 8em 27ch 11.5em 11.5em; }
  .tree summary::-webkit-details-marker { display: none; }
  .tree summary::before { content: "\\25B8"; color: #5b6475; }
  .tree details[open] > summary::before { content: "\\25BE"; }
  .tree summary:hover { background: #f3f5f8; }
  .tree .stage > summary { border: 1px solid #e3e6eb; background: #fafbfc; }
  .tree .stage:target > summary { outline: 2px solid ${colours.params}; }
  .tree .inner { margin: 4px 0 10px 1.6em; }
  .tree .name { font-weight: 600; }
  .tree .op { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 0.92em; }
  .tree .fig { color: #5b6475; white-space: nowrap; }
  .tree .minibar { display: inline-block; vertical-align: middle; height: 8px; border-radius: 2px; margin-left: 4px; min-width: 1px; }
  .tree .repeat { color: #7a5b00; }
  .note { color: #5b6475; font-size: 0.9em; margin: 0.3em 0 0.6em; }
  .warnings { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 0.85em; white-space: pre-wrap; background: #fff8e6; border: 1px solid #f0e0b0; border-radius: 6px; padding: 8px 10px; }
  footer { margin-top: 2em; color: #5b6475; font-size: 0.85em; }
`;

export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(title)}</title>
<style>${style}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/** A horizontal bar `value / max` of the cell's width; `b` draws the second model's bars lighter. */
export function bar(value: number, max: number, kind: 'macs' | 'params', b = false): string {
  const width = max > 0 ? (100 * value) / max : 0;
  return `<div class="bar ${kind}${b ? ' b' : ''}" style="width:${width.toFixed(1)}%"></div>`;
}

export function keyValueTable(rows: readonly (readonly [string, string])[]): string {
  return `<table class="kv">\n${rows.map(([k, v]) => `  <tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join('\n')}\n</table>`;
}

export function cards(items: readonly (readonly [string, string, string])[]): string {
  return `<div class="cards">\n${items.map(([k, v, u]) => `  <div class="card"><div class="k">${esc(k)}</div><div class="v">${esc(v)}</div><div class="u">${esc(u)}</div></div>`).join('\n')}\n</div>`;
}

/** "+1,783,676" in green, "-8,608" in red: a difference as the eye reads it. */
export function signedCell(d: number, fmt: (n: number) => string): string {
  if (d === 0) return '<td class="n muted">0</td>';
  return `<td class="n ${d > 0 ? 'plus' : 'minus'}">${d > 0 ? '+' : '-'}${esc(fmt(Math.abs(d)))}</td>`;
}
