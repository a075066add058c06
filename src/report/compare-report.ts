/** Side-by-side reports: two models stage by stage (`report A B`), and one model at several input sizes. */
import type { Cost } from './cost.js';
import { describeLayer } from './describe.js';
import { REPORT_SCHEMA_VERSION, reportJson, type ReportInput } from './format-report.js';
import { alignStageNames } from './stage-alignment.js';
import { count, si, withSeparators } from './units.js';

const signed = (d: number, fmt: (n: number) => string) => (d === 0 ? '0' : `${d > 0 ? '+' : '-'}${fmt(Math.abs(d))}`);
const pct = (a: number, b: number) => (a === 0 ? '' : ` (${b >= a ? '+' : ''}${((100 * (b - a)) / a).toFixed(1)} %)`);

function table(header: readonly string[], rows: readonly (readonly string[])[], numericFrom: number): string[] {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: readonly string[]) => r.map((c, i) => (i >= numericFrom ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join('  ').trimEnd();
  return [fmt(header), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(fmt)];
}

const label = (r: ReportInput) => `${r.spec.name}${r.spec.applied.variant ? ` (${r.spec.applied.variant})` : ''}`;

export function compareJson(a: ReportInput, b: ReportInput) {
  const ja = reportJson(a);
  const jb = reportJson(b);
  const names = alignStageNames(ja.stages.map((s) => s.name), jb.stages.map((s) => s.name));
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    models: [{ file: a.file, model: ja.model, variant: ja.variant ?? null, input: ja.input }, { file: b.file, model: jb.model, variant: jb.variant ?? null, input: jb.input }],
    stages: names.map((name) => {
      const x = ja.stages.find((s) => s.name === name);
      const y = jb.stages.find((s) => s.name === name);
      return { name, a: x ?? null, b: y ?? null, delta: { params: (y?.params ?? 0) - (x?.params ?? 0), macs: (y?.macs ?? 0) - (x?.macs ?? 0) } };
    }),
    totals: { a: ja.totals, b: jb.totals, delta: { params: jb.totals.params - ja.totals.params, macs: jb.totals.macs - ja.totals.macs } },
  };
}

export function compareText(a: ReportInput, b: ReportInput): string {
  const doc = compareJson(a, b);
  const rows = doc.stages.map((s) => [
    s.name,
    s.a?.operator ?? '-',
    s.b?.operator ?? '-',
    s.a ? withSeparators(s.a.params) : '-',
    s.b ? withSeparators(s.b.params) : '-',
    signed(s.delta.params, withSeparators),
    s.a ? si(s.a.macs) : '-',
    s.b ? si(s.b.macs) : '-',
    signed(s.delta.macs, si),
  ]);
  const ta = doc.totals.a;
  const tb = doc.totals.b;
  rows.push(['total', '', '', withSeparators(ta.params), withSeparators(tb.params), signed(tb.params - ta.params, withSeparators), count(ta.macs), count(tb.macs), signed(tb.macs - ta.macs, count)]);
  return [
    `A: ${label(a)}, input ${a.spec.input.height}x${a.spec.input.width} (${a.file})`,
    `B: ${label(b)}, input ${b.spec.input.height}x${b.spec.input.width} (${b.file})`,
    '',
    ...table(['Stage', 'A operator', 'B operator', 'A params', 'B params', 'delta', 'A MACs', 'B MACs', 'delta'], rows, 3),
    '',
    `Params: ${withSeparators(ta.params)} -> ${withSeparators(tb.params)}${pct(ta.params, tb.params)}`,
    `MACs:   ${count(ta.macs)} -> ${count(tb.macs)}${pct(ta.macs, tb.macs)}   (FLOPs = 2 x MACs)`,
  ].join('\n') + '\n';
}

export interface AtResolution {
  readonly size: number;
  readonly input: ReportInput;
}

export function resolutionsJson(rows: readonly AtResolution[]) {
  const base = rows[0]!.input.report.total.macs;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    model: rows[0]!.input.spec.name,
    resolutions: rows.map(({ size, input }) => {
      const t: Cost = input.report.total;
      return {
        size,
        params: t.params,
        macs: t.macs,
        flops: 2 * t.macs,
        activations: t.activations,
        macsRatio: t.macs / base,
        stageMacs: Object.fromEntries(input.report.stages.map((s) => [s.key, s.cost.macs])),
        // The warnings this size compiled with (a kernel larger than a feature map at a small input).
        diagnostics: input.diagnostics ?? [],
      };
    }),
  };
}

/** One table, one row per input size, with per-stage MACs: how cost moves with resolution. */
export function resolutionsText(rows: readonly AtResolution[]): string {
  const doc = resolutionsJson(rows);
  const stageKeys = rows[0]!.input.report.stages.map((s) => s.key);
  const first = rows[0]!.input;
  const header = ['input', 'params', 'MACs', 'x first', 'activations', ...stageKeys];
  const body = doc.resolutions.map((r) => [`${r.size}x${r.size}`, withSeparators(r.params), count(r.macs), `${r.macsRatio.toFixed(2)}x`, si(r.activations), ...stageKeys.map((k) => si(r.stageMacs[k] ?? 0))]);
  return [
    `${first.spec.name}${first.spec.applied.variant ? ` (${first.spec.applied.variant})` : ''} at ${rows.length} input sizes; stage columns are MACs`,
    `stages: ${stageKeys.map((k) => (k.startsWith('stage') ? `${k} ${describeLayer(first.spec.stages[Number(k.slice(5)) - 1]!)}` : k)).join('; ')}`,
    '',
    ...table(header, body, 0),
  ].join('\n') + '\n';
}
