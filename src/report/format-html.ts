/**
 * `effnet report --html`: one self-contained page (inline CSS, no scripts, no network) with the model's
 * totals, its network diagram, the settings it was built with, the stage table with MACs and parameter bars,
 * the per-layer table with stage subtotals, and what the figures count.
 */
import type { ModelSpec } from '../ir/spec.js';
import { conventionLabels, conventions, reportJson, type ReportInput } from './format-report.js';
import { bar, cards, esc, htmlPage, keyValueTable } from './html-page.js';
import { networkDiagram } from './network-diagram.js';
import { count, shapeText, share, si, withSeparators } from './units.js';

/** The settings every layer was built with, as the page states them. */
export function settingsRows(spec: ModelSpec): [string, string][] {
  const rows: [string, string][] = [
    ['input', `${spec.input.height}x${spec.input.width}x${spec.input.channels}`],
    ...(spec.classes !== undefined ? [['classes', String(spec.classes)] as [string, string]] : []),
    ['activation', spec.activation],
    ['batch norm', spec.norm ? `eps ${spec.norm.eps}, momentum ${spec.norm.momentum} (moving-average decay, as Keras; PyTorch's momentum ${+(1 - spec.norm.momentum).toFixed(6)})` : 'none'],
    ['padding', spec.padding === 'same' ? 'same (TF/Keras: asymmetric at stride 2 on even sizes)' : 'symmetric (PyTorch: k//2 on each side)'],
    ['drop_connect', spec.dropConnect > 0 ? `${spec.dropConnect} (stochastic depth in training: block i of N drops its branch with ${spec.dropConnect}·i/N)` : '0 (off)'],
  ];
  if (spec.classifier) rows.push(['classifier dropout', spec.classifier.dropout > 0 ? `${spec.classifier.dropout} (training only)` : '0 (off)']);
  return rows;
}

export function scalingRows(spec: ModelSpec): [string, string][] {
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

export const modelTitle = (spec: ModelSpec) => `${spec.name}${spec.applied.variant ? ` (${spec.applied.variant})` : ''}`;

export function totalCards(t: { params: number; macs: number; flops: number; bnStats: number; activations: number }): string {
  return cards([
    ['Params', withSeparators(t.params), `${si(t.params)} trainable`],
    ['MACs', withSeparators(t.macs), count(t.macs)],
    ['FLOPs (2 x MACs)', withSeparators(t.flops), count(t.flops)],
    ['BN statistics', withSeparators(t.bnStats), 'non-trainable'],
    ['Activations', withSeparators(t.activations), `${si(t.activations * 4)}B as float32`],
  ]);
}

/** What is counted, in words: the conventions every figure on the page follows. */
export function countedTable(): string {
  return keyValueTable(Object.entries(conventions).map(([k, v]) => [conventionLabels[k as keyof typeof conventions], v]));
}

/** Warnings the model compiled with, as they were printed. */
export function warningsSection(input: ReportInput, heading = 'Warnings'): string {
  const ds = input.diagnostics ?? [];
  if (ds.length === 0) return '';
  return `<h2>${esc(heading)}</h2>\n<div class="warnings">${ds.map((d) => esc(`${input.file}:${d.line}:${d.column}: ${d.severity}[${d.code}]: ${d.message}${d.hint ? `\n  hint: ${d.hint}` : ''}`)).join('\n')}</div>`;
}

export function formatHtml(input: ReportInput): string {
  const doc = reportJson(input, { perLayer: true });
  const { spec } = input;
  const t = doc.totals;
  const maxMacs = Math.max(...doc.stages.map((s) => s.macs), 1);
  const maxParams = Math.max(...doc.stages.map((s) => s.params), 1);
  const title = modelTitle(spec);
  const pct = (v: number, whole: number) => share(v, whole) || '';

  const stageTable = [
    '<table>',
    '  <tr><th>stage</th><th>operator</th><th class="n">blocks</th><th>output shape</th><th class="n">params</th><th class="n">params %</th><th></th><th class="n">MACs</th><th class="n">MACs %</th><th></th></tr>',
    ...doc.stages.map((s) => `  <tr><td><a href="#${esc(s.name)}">${esc(s.name)}</a></td><td>${esc(s.operator)}</td><td class="n">${s.blocks}</td><td>${shapeText(s.outputShape)}</td><td class="n">${withSeparators(s.params)}</td><td class="n">${pct(s.params, t.params)}</td><td class="barcell">${bar(s.params, maxParams, 'params')}</td><td class="n">${si(s.macs)}</td><td class="n">${pct(s.macs, t.macs)}</td><td class="barcell">${bar(s.macs, maxMacs, 'macs')}</td></tr>`),
    `  <tr class="total"><td>total</td><td></td><td></td><td></td><td class="n">${withSeparators(t.params)}</td><td class="n">100%</td><td></td><td class="n">${count(t.macs)}</td><td class="n">100%</td><td></td></tr>`,
    '</table>',
  ].join('\n');

  // Layers in graph order, each stage closed by its subtotal; bars share one scale, the largest stage.
  const layerRows: string[] = [];
  const layers = doc.layers!;
  layers.forEach((l, i) => {
    layerRows.push(`  <tr><td class="name">${esc(l.name)}</td><td>${esc(l.type)}</td><td>${shapeText(l.outputShape)}</td><td class="n">${l.params ? withSeparators(l.params) : ''}</td><td class="n">${pct(l.params, t.params)}</td><td class="barcell">${l.params ? bar(l.params, maxParams, 'params') : ''}</td><td class="n">${l.macs ? withSeparators(l.macs) : ''}</td><td class="n">${pct(l.macs, t.macs)}</td><td class="barcell">${l.macs ? bar(l.macs, maxMacs, 'macs') : ''}</td><td class="n">${l.otherOps ? si(l.otherOps) : ''}</td></tr>`);
    if (layers[i + 1]?.stage !== l.stage) {
      const s = doc.stages.find((x) => x.name === l.stage)!;
      layerRows.push(`  <tr class="subtotal"><td>${esc(s.name)} subtotal</td><td>${esc(s.operator)}</td><td>${shapeText(s.outputShape)}</td><td class="n">${withSeparators(s.params)}</td><td class="n">${pct(s.params, t.params)}</td><td class="barcell">${bar(s.params, maxParams, 'params')}</td><td class="n">${withSeparators(s.macs)}</td><td class="n">${pct(s.macs, t.macs)}</td><td class="barcell">${bar(s.macs, maxMacs, 'macs')}</td><td class="n">${si(s.otherOps)}</td></tr>`);
    }
  });

  const body = `<h1>${esc(title)}</h1>
<div class="sub">input ${doc.input.join('x')}${doc.classes !== undefined ? ` &middot; ${doc.classes} classes` : ''} &middot; ${esc(input.file)}</div>
${totalCards(t)}
<h2>Network</h2>
${networkDiagram(input)}
<div class="pair">
<div>
<h2>Settings</h2>
${keyValueTable(settingsRows(spec))}
</div>
<div>
<h2>Scaling</h2>
${keyValueTable(scalingRows(spec))}
</div>
</div>
<h2>Stages</h2>
${stageTable}
<details class="section">
<summary>Per layer (${layers.length} layers, with stage subtotals)</summary>
<div class="wide"><table class="compact">
  <tr><th>layer</th><th>type</th><th>output shape</th><th class="n">params</th><th class="n">params %</th><th></th><th class="n">MACs</th><th class="n">MACs %</th><th></th><th class="n">other ops</th></tr>
${layerRows.join('\n')}
</table></div>
</details>
<h2>What is counted</h2>
${countedTable()}
${warningsSection(input)}
<footer>Generated by effnet. Report schema version ${doc.schemaVersion}.</footer>`;
  return htmlPage(`effnet report: ${title}`, body);
}
