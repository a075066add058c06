/**
 * `effnet report --html`: one self-contained page (inline CSS, no scripts, no network) with the model's
 * settings, totals, the stage table with MACs and parameter bars, and the per-layer table.
 */
import type { ModelSpec } from '../ir/spec.js';
import { conventions, reportJson, type ReportInput } from './format-report.js';
import { giga, si, withSeparators } from './units.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function scalingRows(spec: ModelSpec): [string, string][] {
  const a = spec.applied;
  const s = spec.scaling;
  const rows: [string, string][] = [];
  if (a.variant) rows.push(['variant', a.variant]);
  if (a.phi !== undefined) rows.push(['phi', String(a.phi)], ['alpha, beta, gamma', `${a.alpha}, ${a.beta}, ${a.gamma}`]);
  rows.push(['depth d', a.depth.toFixed(4)], ['width w', a.width.toFixed(4)], ['resolution r', a.resolution.toFixed(4)]);
  rows.push(['channel rounding', s.rounding === 'truncate' ? 'int(c x w)' : `multiple of ${s.divisor}, never 10 % below`]);
  rows.push(['repeats rounding', 'ceil(d x n)'], ['input rounding', `multiple of ${s.resolutionDivisor}`]);
  return rows;
}

export function formatHtml(input: ReportInput): string {
  const doc = reportJson(input, { perLayer: true });
  const { spec } = input;
  const maxMacs = Math.max(...doc.stages.map((s) => s.macs), 1);
  const maxParams = Math.max(...doc.stages.map((s) => s.params), 1);
  const bar = (v: number, max: number, cls: string) => `<div class="bar ${cls}" style="width:${((100 * v) / max).toFixed(1)}%"></div>`;
  const t = doc.totals;
  const cards: [string, string, string][] = [
    ['Params', withSeparators(t.params), si(t.params)],
    ['MACs', withSeparators(t.macs), giga(t.macs)],
    ['FLOPs (2 x MACs)', withSeparators(t.flops), giga(t.flops)],
    ['BN statistics', withSeparators(t.bnStats), 'non-trainable'],
    ['Activations', withSeparators(t.activations), `${si(t.activations * 4)}B float32`],
  ];
  const title = `${spec.name}${spec.applied.variant ? ` (${spec.applied.variant})` : ''}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>effnet report: ${esc(title)}</title>
<style>
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2em auto; max-width: 1100px; color: #1d2330; padding: 0 1em; }
  h1 { font-size: 1.6em; margin-bottom: 0.2em; }
  h2 { font-size: 1.15em; margin-top: 1.8em; border-bottom: 1px solid #e3e6eb; padding-bottom: 0.2em; }
  .sub { color: #5b6475; }
  .cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 1.2em 0; }
  .card { border: 1px solid #e3e6eb; border-radius: 8px; padding: 10px 14px; min-width: 170px; background: #fafbfc; }
  .card .k { color: #5b6475; font-size: 0.85em; } .card .v { font-size: 1.3em; font-weight: 600; } .card .u { color: #5b6475; font-size: 0.85em; }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eef0f3; vertical-align: middle; }
  th { background: #f3f5f8; font-weight: 600; position: sticky; top: 0; }
  td.n { text-align: right; white-space: nowrap; }
  td.barcell { width: 18%; }
  .bar { height: 10px; border-radius: 3px; min-width: 1px; }
  .macs { background: #d9534f; } .params { background: #337ab7; }
  table.kv { width: auto; } table.kv td:first-child { color: #5b6475; }
  tr.stage td { background: #f8f9fb; font-weight: 600; }
  details summary { cursor: pointer; font-weight: 600; margin: 0.6em 0; }
  footer { margin-top: 2em; color: #5b6475; font-size: 0.85em; }
</style>
</head>
<body>
<h1>${esc(title)}</h1>
<div class="sub">input ${doc.input.join('x')}${doc.classes !== undefined ? ` &middot; ${doc.classes} classes` : ''} &middot; ${esc(input.file)}</div>
<div class="cards">
${cards.map(([k, v, u]) => `  <div class="card"><div class="k">${k}</div><div class="v">${v}</div><div class="u">${u}</div></div>`).join('\n')}
</div>
<h2>Scaling</h2>
<table class="kv">
${scalingRows(spec).map(([k, v]) => `  <tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join('\n')}
</table>
<h2>Stages</h2>
<table>
  <tr><th>stage</th><th>operator</th><th>blocks</th><th>output shape</th><th>params</th><th></th><th>MACs</th><th></th></tr>
${doc.stages.map((s) => `  <tr><td>${s.name}</td><td>${esc(s.operator)}</td><td class="n">${s.blocks}</td><td>${s.outputShape.join('x')}</td><td class="n">${withSeparators(s.params)}</td><td class="barcell">${bar(s.params, maxParams, 'params')}</td><td class="n">${si(s.macs)}</td><td class="barcell">${bar(s.macs, maxMacs, 'macs')}</td></tr>`).join('\n')}
  <tr class="stage"><td>total</td><td></td><td></td><td></td><td class="n">${withSeparators(t.params)}</td><td></td><td class="n">${giga(t.macs)}</td><td></td></tr>
</table>
<details>
<summary>Per layer (${doc.layers!.length} layers)</summary>
<table>
  <tr><th>layer</th><th>type</th><th>output shape</th><th>params</th><th>MACs</th><th>other ops</th></tr>
${doc.layers!.map((l) => `  <tr><td>${esc(l.name)}</td><td>${esc(l.type)}</td><td>${l.outputShape.join('x')}</td><td class="n">${l.params ? withSeparators(l.params) : ''}</td><td class="n">${l.macs ? withSeparators(l.macs) : ''}</td><td class="n">${l.otherOps ? si(l.otherOps) : ''}</td></tr>`).join('\n')}
</table>
</details>
<h2>What is counted</h2>
<table class="kv">
${Object.entries(conventions).map(([k, v]) => `  <tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join('\n')}
</table>
<footer>Generated by effnet. Report schema version ${doc.schemaVersion}.</footer>
</body>
</html>
`;
}
