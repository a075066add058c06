/**
 * `effnet report --html OUT A --compare B` (or `report A B --html OUT`): two models side by side on one
 * self-contained page. Totals with differences and ratios, both models' settings, the stage table aligned
 * by stage name with bars on one scale for both, and each network's diagram.
 */
import { compareJson } from './compare-report.js';
import { countedTable, modelTitle, scalingRows, settingsRows, warningsSection } from './format-html.js';
import type { ReportInput } from './format-report.js';
import { bar, esc, htmlPage, keyValueTable, signedCell } from './html-page.js';
import { networkTree, stageStripSvg } from './network-diagram.js';
import { count, shapeText, si, withSeparators } from './units.js';

const ratio = (a: number, b: number) => (a === 0 ? '' : `${(b / a).toFixed(2)}x`);

export function formatCompareHtml(a: ReportInput, b: ReportInput): string {
  const doc = compareJson(a, b);
  const [ta, tb] = [doc.totals.a, doc.totals.b];
  const [titleA, titleB] = [modelTitle(a.spec), modelTitle(b.spec)];
  const maxParams = Math.max(1, ...doc.stages.flatMap((s) => [s.a?.params ?? 0, s.b?.params ?? 0]));
  const maxMacs = Math.max(1, ...doc.stages.flatMap((s) => [s.a?.macs ?? 0, s.b?.macs ?? 0]));

  const totals: [string, number, number, (n: number) => string][] = [
    ['Params', ta.params, tb.params, withSeparators],
    ['BN statistics', ta.bnStats, tb.bnStats, withSeparators],
    ['MACs', ta.macs, tb.macs, withSeparators],
    ['FLOPs (2 x MACs)', ta.flops, tb.flops, withSeparators],
    ['Activations (per sample)', ta.activations, tb.activations, withSeparators],
  ];
  const totalsTable = [
    '<table>',
    `  <tr><th></th><th class="n">A: ${esc(titleA)}</th><th class="n">B: ${esc(titleB)}</th><th class="n">B - A</th><th class="n">B / A</th></tr>`,
    ...totals.map(([k, x, y, fmt]) => `  <tr><td>${esc(k)}</td><td class="n">${fmt(x)}</td><td class="n">${fmt(y)}</td>${signedCell(y - x, fmt)}<td class="n">${ratio(x, y)}</td></tr>`),
    '</table>',
  ].join('\n');

  // A model's operator over its output shape, or a dash where it has no such stage.
  const cell = (x: { operator: string; outputShape: readonly number[] } | null) =>
    x === null ? '<td class="muted">&ndash;</td>' : `<td>${esc(x.operator)}<br><span class="muted">${shapeText(x.outputShape)}</span></td>`;
  const num = (v: number | undefined, fmt: (n: number) => string) => (v === undefined ? '<td class="n muted">&ndash;</td>' : `<td class="n">${fmt(v)}</td>`);
  const bars = (x: number | undefined, y: number | undefined, kind: 'macs' | 'params', max: number) =>
    `<td class="barcell">${bar(x ?? 0, max, kind)}<div style="height:2px"></div>${bar(y ?? 0, max, kind, true)}</td>`;
  const stageTable = [
    '<div class="wide"><table class="compact">',
    '  <tr><th>stage</th><th>A</th><th>B</th><th class="n">A params</th><th class="n">B params</th><th class="n">delta</th><th>A / B</th><th class="n">A MACs</th><th class="n">B MACs</th><th class="n">delta</th><th>A / B</th></tr>',
    ...doc.stages.map((s) => `  <tr><td>${esc(s.name)}</td>${cell(s.a)}${cell(s.b)}${num(s.a?.params, withSeparators)}${num(s.b?.params, withSeparators)}${signedCell(s.delta.params, withSeparators)}${bars(s.a?.params, s.b?.params, 'params', maxParams)}${num(s.a?.macs, si)}${num(s.b?.macs, si)}${signedCell(s.delta.macs, si)}${bars(s.a?.macs, s.b?.macs, 'macs', maxMacs)}</tr>`),
    `  <tr class="total"><td>total</td><td></td><td></td><td class="n">${withSeparators(ta.params)}</td><td class="n">${withSeparators(tb.params)}</td>${signedCell(tb.params - ta.params, withSeparators)}<td></td><td class="n">${count(ta.macs)}</td><td class="n">${count(tb.macs)}</td>${signedCell(tb.macs - ta.macs, count)}<td></td></tr>`,
    '</table></div>',
  ].join('\n');

  const side = (label: string, input: ReportInput) => `<div>
<h3>${label}: ${esc(modelTitle(input.spec))}</h3>
<div class="sub">${esc(input.file)}</div>
${keyValueTable([...settingsRows(input.spec), ...scalingRows(input.spec)])}
</div>`;
  const network = (label: string, id: string, input: ReportInput) => `<h3>${label}: ${esc(modelTitle(input.spec))}</h3>
<div class="diagram">${stageStripSvg(input, { id })}</div>
<details class="section"><summary>${label}'s stages, blocks and layers</summary>
${networkTree(input, { id })}
</details>`;

  const body = `<h1>${esc(titleA)} vs ${esc(titleB)}</h1>
<div class="sub">A: ${esc(a.file)}, input ${a.spec.input.height}x${a.spec.input.width} &middot; B: ${esc(b.file)}, input ${b.spec.input.height}x${b.spec.input.width}</div>
<h2>Totals</h2>
${totalsTable}
<h2>Stages, side by side</h2>
<p class="note">Stages are matched by name and kept in network order; &ndash; marks a stage only one model has. Bars share one scale: A solid, B light.</p>
${stageTable}
<h2>Settings</h2>
<div class="pair">
${side('A', a)}
${side('B', b)}
</div>
<h2>Networks</h2>
${network('A', 'a-', a)}
${network('B', 'b-', b)}
<h2>What is counted</h2>
${countedTable()}
${warningsSection(a, `Warnings (A: ${a.file})`)}
${warningsSection(b, `Warnings (B: ${b.file})`)}
<footer>Generated by effnet. Report schema version ${doc.schemaVersion}.</footer>`;
  return htmlPage(`effnet report: ${titleA} vs ${titleB}`, body);
}
