/** Text and JSON for `effnet scale`: the scaled stage table (before → after) and sweep tables. */
import type { LayerSpec, ModelSpec } from '../ir/spec.js';
import type { SweepRow } from '../search/scaling-search.js';
import type { Cost } from './cost.js';
import { describeLayer } from './describe.js';
import { REPORT_SCHEMA_VERSION } from './format-report.js';
import { count, si, withSeparators } from './units.js';

export interface ScaledRow {
  readonly stage: string;
  readonly operator: string;
  readonly channels: readonly [number | null, number | null];
  readonly repeats: readonly [number, number];
}

/** Per stem layer, stage row and head layer: channels and repeats before and after scaling. */
export function scaledRows(before: ModelSpec, after: ModelSpec): ScaledRow[] {
  const row = (stage: string, a: LayerSpec, b: LayerSpec): ScaledRow => ({
    stage,
    operator: describeLayer(a),
    channels: [a.channels ?? null, b.channels ?? null],
    repeats: [a.repeats, b.repeats],
  });
  return [
    ...before.stem.map((l, i) => row(before.stem.length > 1 ? `stem${i + 1}` : 'stem', l, after.stem[i]!)),
    ...before.stages.map((l, i) => row(`stage${i + 1}`, l, after.stages[i]!)),
    ...before.head.map((l, i) => row(before.head.length > 1 ? `head${i + 1}` : 'head', l, after.head[i]!)),
  ];
}

function rulesText(spec: ModelSpec): string {
  const s = spec.scaling;
  const ch = s.rounding === 'truncate' ? 'channels truncated, int(c x w)' : `channels to the nearest multiple of ${s.divisor}, never 10 % below`;
  return `${ch}; repeats rounded up; input to a multiple of ${s.resolutionDivisor}`;
}

export function scaleText(before: ModelSpec, after: ModelSpec, costBefore: Cost, costAfter: Cost, ideal?: number): string {
  const a = after.applied;
  const lines: string[] = [];
  if (a.phi !== undefined) {
    lines.push(`${after.name} scaled by phi ${a.phi} (alpha ${a.alpha}, beta ${a.beta}, gamma ${a.gamma})`);
  } else {
    lines.push(`${after.name}${a.variant ? ` variant ${a.variant}` : ''} scaled by width ${+a.width.toFixed(4)}, depth ${+a.depth.toFixed(4)}, resolution ${+a.resolution.toFixed(4)}`);
  }
  lines.push(`  depth d = ${a.depth.toFixed(4)}   width w = ${a.width.toFixed(4)}   resolution r = ${a.resolution.toFixed(4)}: input ${before.input.height}x${before.input.width} -> ${after.input.height}x${after.input.width}`);
  lines.push(`  rounding: ${rulesText(after)}`, '');
  const rows = scaledRows(before, after).map((r) => [
    r.stage,
    r.operator,
    r.channels[0] === null ? '-' : r.channels[0] === r.channels[1] ? String(r.channels[0]) : `${r.channels[0]} -> ${r.channels[1]}`,
    r.repeats[0] === r.repeats[1] ? String(r.repeats[0]) : `${r.repeats[0]} -> ${r.repeats[1]}`,
  ]);
  const header = ['Stage', 'Operator', 'Channels', 'Repeats'];
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((c, i) => c.padEnd(w[i]!)).join('  ').trimEnd();
  lines.push(fmt(header), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(fmt), '');
  const ratio = (x: number, y: number) => `${(y / x).toFixed(2)}x`;
  lines.push(
    `Params: ${withSeparators(costBefore.params)} -> ${withSeparators(costAfter.params)} (${si(costAfter.params)}, ${ratio(costBefore.params, costAfter.params)})`,
    `MACs:   ${count(costBefore.macs)} -> ${count(costAfter.macs)} (${ratio(costBefore.macs, costAfter.macs)}${ideal !== undefined ? `; the rule predicts ${ideal.toFixed(2)}x` : ''})`,
  );
  return lines.join('\n') + '\n';
}

export function scaleJson(before: ModelSpec, after: ModelSpec, costBefore: Cost, costAfter: Cost) {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    model: after.name,
    ...(after.applied.variant ? { variant: after.applied.variant } : {}),
    scaling: { phi: after.applied.phi ?? null, width: after.applied.width, depth: after.applied.depth, resolution: after.applied.resolution },
    input: { before: [before.input.height, before.input.width], after: [after.input.height, after.input.width] },
    stages: scaledRows(before, after),
    totals: { before: { params: costBefore.params, macs: costBefore.macs }, after: { params: costAfter.params, macs: costAfter.macs } },
  };
}

export function sweepText(name: string, rows: readonly SweepRow[]): string {
  const header = ['phi', 'd', 'w', 'r', 'input', 'params', 'MACs', 'MACs / phi=0', '(a*b^2*g^2)^phi'];
  const body = rows.map((r) => [String(r.phi), r.depth.toFixed(3), r.width.toFixed(3), r.resolution.toFixed(3), String(r.inputSize), withSeparators(r.total.params), count(r.total.macs), `${r.macsRatio.toFixed(2)}x`, `${r.idealRatio.toFixed(2)}x`]);
  const w = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const fmt = (r: string[]) => r.map((c, i) => c.padStart(w[i]!)).join('  ');
  return [`${name}: compound scaling sweep`, '', fmt(header), w.map((n) => '-'.repeat(n)).join('  '), ...body.map(fmt)].join('\n') + '\n';
}

export function sweepJson(name: string, rows: readonly SweepRow[]) {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    model: name,
    sweep: rows.map((r) => ({ phi: r.phi, depth: r.depth, width: r.width, resolution: r.resolution, inputSize: r.inputSize, params: r.total.params, macs: r.total.macs, macsRatio: r.macsRatio, idealRatio: r.idealRatio })),
  };
}
