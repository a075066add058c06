/**
 * Renders a cost report as a terminal table (Keras summary / torchinfo style), Markdown, CSV or JSON.
 * Every format states what it counts; JSON carries a schemaVersion and is the stable machine interface.
 */
import type { DiagnosticJson } from '../diagnostics/diagnostic-json.js';
import type { Graph } from '../ir/graph.js';
import type { ModelSpec } from '../ir/spec.js';
import type { CostReport, Cost } from './cost.js';
import { describeLayer, layerType } from './describe.js';
import { count, shapeText, share, si, withSeparators } from './units.js';

export type ReportFormat = 'table' | 'json' | 'markdown' | 'csv';
export const reportFormats: readonly ReportFormat[] = ['table', 'json', 'markdown', 'csv'];

export const REPORT_SCHEMA_VERSION = 1;

export const conventions = {
  macs: 'multiply-accumulates of convolutions (squeeze-excitation convs included) and dense layers, batch 1; the EfficientNet paper calls these FLOPS',
  flops: 'FLOPs = 2 x MACs',
  params: 'trainable parameters: kernels, biases, batch-norm gamma and beta',
  bnStats: 'batch-norm running mean and variance: non-trainable; Keras adds them to its parameter total, PyTorch keeps them as buffers',
  otherOps: 'operations outside MACs, per output element: batch norm 2, activation 1, add 1, multiply 1, pooling k*k, global pooling 1 per input element; dropout is free at inference',
  activations: 'output elements of every layer, per sample',
  notCounted: 'training-only work (dropout, drop-connect, the backward pass) and input preprocessing',
} as const;

/** What each convention is called in words, for pages that list them (the JSON keys stay as they are). */
export const conventionLabels: Readonly<Record<keyof typeof conventions, string>> = {
  macs: 'MACs',
  flops: 'FLOPs',
  params: 'Parameters',
  bnStats: 'BN statistics',
  otherOps: 'Other operations',
  activations: 'Activations',
  notCounted: 'Not counted',
};

export interface ReportInput {
  readonly file: string;
  readonly spec: ModelSpec;
  readonly graph: Graph;
  readonly report: CostReport;
  /** Warnings the model compiled with; JSON carries them so a script sees what a person saw on stderr. */
  readonly diagnostics?: readonly DiagnosticJson[];
}

export interface ReportOptions {
  readonly format: ReportFormat;
  readonly perLayer?: boolean;
  /** One row per block (block2a, block2b, ...): the roll-up between layers and stages. */
  readonly perBlock?: boolean;
}

interface StageRow {
  readonly name: string;
  readonly operator: string;
  readonly blocks: number;
  readonly shape: readonly number[];
  readonly cost: Cost;
}

interface LayerRow {
  readonly name: string;
  readonly type: string;
  readonly block: string;
  readonly stage: string;
  readonly shape: readonly number[];
  readonly cost: Cost;
}

function stageRows(input: ReportInput): StageRow[] {
  const { spec, report } = input;
  return report.stages.map((s) => {
    let operator = '';
    let blocks = 1;
    if (s.key === 'stem') { operator = spec.stem.map(describeLayer).join(' + '); blocks = spec.stem.length; }
    else if (s.key === 'head') { operator = spec.head.map(describeLayer).join(' + '); blocks = spec.head.length; }
    else if (s.key === 'classifier') operator = `${spec.classifier && spec.classifier.dropout > 0 ? `dropout ${spec.classifier.dropout} + ` : ''}dense ${spec.classes}`;
    else {
      const layer = spec.stages[Number(s.key.slice('stage'.length)) - 1]!;
      operator = describeLayer(layer);
      blocks = layer.repeats;
    }
    return { name: s.key, operator, blocks, shape: s.shape, cost: s.cost };
  });
}

interface BlockRow {
  readonly name: string;
  readonly stage: string;
  readonly layers: number;
  readonly shape: readonly number[];
  readonly cost: Cost;
}

function blockRows(input: ReportInput): BlockRow[] {
  const stageOf = new Map(input.report.layers.map((l) => [l.node.block, l.node.stage]));
  return input.report.blocks.map((b) => ({ name: b.key, stage: stageOf.get(b.key) ?? b.key, layers: b.layers, shape: b.shape, cost: b.cost }));
}

function layerRows(input: ReportInput): LayerRow[] {
  const { graph, report } = input;
  return report.layers.map(({ node, cost }) => {
    const inShape = node.inputs.length ? graph.nodes[node.inputs[0]!]!.shape : [];
    return { name: node.name, type: layerType(node, inShape[inShape.length - 1] ?? 0), block: node.block, stage: node.stage, shape: node.shape, cost };
  });
}

function scalingText(spec: ModelSpec): string {
  const a = spec.applied;
  const r = `${spec.input.height}x${spec.input.width}`;
  if (a.phi !== undefined) return `phi ${a.phi}: depth ${a.depth.toFixed(4)}, width ${a.width.toFixed(4)}, resolution ${a.resolution.toFixed(4)} (${r})`;
  if (a.width === 1 && a.depth === 1 && a.resolution === 1) return a.variant ? `variant ${a.variant} (no scaling)` : 'none (as written)';
  return `${a.variant ? `variant ${a.variant}: ` : ''}width ${a.width}, depth ${a.depth}, input ${r}`;
}

/** A fixed-width text table; numbers right-aligned. */
function textTable(header: readonly string[], rows: readonly (readonly string[])[], numeric: readonly boolean[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map((r) => (r[0] === '\u0000' ? rule : line(r)))];
}

function totalsLines(t: Cost): string[] {
  return [
    `Params:        ${withSeparators(t.params)} (${si(t.params)}) trainable`,
    `BN statistics: ${withSeparators(t.bnStats)} (non-trainable running mean and variance)`,
    `MACs:          ${withSeparators(t.macs)} (${count(t.macs)})`,
    `FLOPs:         ${count(2 * t.macs)} (FLOPs = 2 x MACs)`,
    `Other ops:     ${si(t.otherOps)} (BN, activations, adds, pooling, SE multiply: not in MACs)`,
    `Activations:   ${si(t.activations)} elements per sample (${si(t.activations * 4)}B as float32)`,
  ];
}

function renderTable(input: ReportInput, o: ReportOptions): string {
  const { spec, report } = input;
  const t = report.total;
  const out: string[] = [];
  out.push(`Model: ${spec.name}${spec.applied.variant ? ` (variant ${spec.applied.variant})` : ''}   input ${spec.input.height}x${spec.input.width}x${spec.input.channels}${spec.classes !== undefined ? `   classes ${spec.classes}` : ''}`);
  out.push(`Scaling: ${scalingText(spec)}`);
  out.push('');
  if (o.perLayer) {
    const rows: string[][] = [];
    let stage = '';
    const stages = new Map(report.stages.map((s) => [s.key, s]));
    const layers = layerRows(input);
    layers.forEach((l, i) => {
      stage = l.stage;
      rows.push([l.name, l.type, shapeText(l.shape), l.cost.params ? withSeparators(l.cost.params) : '', share(l.cost.params, t.params), l.cost.macs ? si(l.cost.macs) : '', share(l.cost.macs, t.macs)]);
      if (layers[i + 1]?.stage !== stage) {
        const s = stages.get(stage)!;
        rows.push([`  ${stage} subtotal`, '', '', withSeparators(s.cost.params), share(s.cost.params, t.params), si(s.cost.macs), share(s.cost.macs, t.macs)]);
        rows.push(['\u0000', '', '', '', '', '', '']);
      }
    });
    rows.pop();
    out.push(...textTable(['Layer', 'Type', 'Output shape', 'Params', '%', 'MACs', '%'], rows, [false, false, false, true, true, true, true]));
  } else if (o.perBlock) {
    const rows = blockRows(input).map((b) => [b.name, b.stage, String(b.layers), shapeText(b.shape), withSeparators(b.cost.params), share(b.cost.params, t.params), si(b.cost.macs), share(b.cost.macs, t.macs)]);
    out.push(...textTable(['Block', 'Stage', 'Layers', 'Output shape', 'Params', '%', 'MACs', '%'], rows, [false, false, true, false, true, true, true, true]));
  } else {
    const rows = stageRows(input).map((s) => [s.name, s.operator, String(s.blocks), shapeText(s.shape), withSeparators(s.cost.params), share(s.cost.params, t.params), si(s.cost.macs), share(s.cost.macs, t.macs)]);
    out.push(...textTable(['Stage', 'Operator', 'Blocks', 'Output shape', 'Params', '%', 'MACs', '%'], rows, [false, false, true, false, true, true, true, true]));
  }
  out.push('');
  out.push(...totalsLines(report.total));
  out.push('');
  out.push('MACs count conv (SE convs included) and dense multiply-accumulates; FLOPs = 2 x MACs.');
  return out.join('\n') + '\n';
}

function renderMarkdown(input: ReportInput, o: ReportOptions): string {
  const { spec, report } = input;
  const t = report.total;
  const out: string[] = [`## ${spec.name}${spec.applied.variant ? ` (${spec.applied.variant})` : ''}`, '', `Input ${spec.input.height}x${spec.input.width}x${spec.input.channels}; scaling: ${scalingText(spec)}.`, ''];
  // The figures every row ends with, each share headed by what it is a share of.
  const figureHeads = '| params | params % | BN stats | MACs | MACs % |';
  const figureRule = '---:|---:|---:|---:|---:|';
  const figures = (c: Cost) => `${withSeparators(c.params)} | ${share(c.params, t.params)} | ${withSeparators(c.bnStats)} | ${withSeparators(c.macs)} | ${share(c.macs, t.macs)} |`;
  if (o.perLayer) {
    out.push(`| layer | type | output shape ${figureHeads}`, `|---|---|---|${figureRule}`);
    for (const l of layerRows(input)) out.push(`| ${l.name} | ${l.type} | ${shapeText(l.shape)} | ${figures(l.cost)}`);
    out.push(`| **total** | | | **${withSeparators(t.params)}** | 100% | **${withSeparators(t.bnStats)}** | **${withSeparators(t.macs)}** | 100% |`, '');
  } else if (o.perBlock) {
    out.push(`| block | stage | layers | output shape ${figureHeads}`, `|---|---|---:|---|${figureRule}`);
    for (const b of blockRows(input)) out.push(`| ${b.name} | ${b.stage} | ${b.layers} | ${shapeText(b.shape)} | ${figures(b.cost)}`);
    out.push(`| **total** | | | | **${withSeparators(t.params)}** | 100% | **${withSeparators(t.bnStats)}** | **${withSeparators(t.macs)}** | 100% |`, '');
  } else {
    out.push(`| stage | operator | blocks | output shape ${figureHeads}`, `|---|---|---:|---|${figureRule}`);
    for (const s of stageRows(input)) out.push(`| ${s.name} | ${s.operator} | ${s.blocks} | ${shapeText(s.shape)} | ${figures(s.cost)}`);
    out.push(`| **total** | | | | **${withSeparators(t.params)}** | 100% | **${withSeparators(t.bnStats)}** | **${withSeparators(t.macs)}** | 100% |`, '');
  }
  out.push(`Params ${withSeparators(t.params)} (${si(t.params)}); BN statistics ${withSeparators(t.bnStats)}; MACs ${count(t.macs)}; FLOPs = 2 x MACs = ${count(2 * t.macs)}.`, '');
  return out.join('\n');
}

const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

function renderCsv(input: ReportInput, o: ReportOptions): string {
  // Shares are fractions of the model's total (0..1, unrounded), as in JSON: a spreadsheet formats them.
  const cols = ['params', 'bn_stats', 'macs', 'other_ops', 'activations', 'params_share', 'macs_share'];
  const total = input.report.total;
  const nums = (c: Cost) => [c.params, c.bnStats, c.macs, c.otherOps, c.activations, total.params ? c.params / total.params : 0, total.macs ? c.macs / total.macs : 0].map(String);
  const lines: string[] = [];
  if (o.perLayer) {
    lines.push(['layer', 'type', 'block', 'stage', 'output_shape', ...cols].join(','));
    for (const l of layerRows(input)) lines.push([l.name, l.type, l.block, l.stage, shapeText(l.shape), ...nums(l.cost)].map(csvCell).join(','));
  } else if (o.perBlock) {
    lines.push(['block', 'stage', 'layers', 'output_shape', ...cols].join(','));
    for (const b of blockRows(input)) lines.push([b.name, b.stage, String(b.layers), shapeText(b.shape), ...nums(b.cost)].map(csvCell).join(','));
  } else {
    lines.push(['stage', 'operator', 'blocks', 'output_shape', ...cols].join(','));
    for (const s of stageRows(input)) lines.push([s.name, s.operator, String(s.blocks), shapeText(s.shape), ...nums(s.cost)].map(csvCell).join(','));
    lines.push(['total', '', '', '', ...nums(total)].join(','));
  }
  return lines.join('\n') + '\n';
}

/** Fractions of the model's total (0..1), unrounded: the tables print them as percentages. */
const shareJson = (c: Cost, total: Cost) => ({ paramsShare: total.params ? c.params / total.params : 0, macsShare: total.macs ? c.macs / total.macs : 0 });
const costJson = (c: Cost) => ({ params: c.params, bnStats: c.bnStats, macs: c.macs, flops: 2 * c.macs, otherOps: c.otherOps, activations: c.activations });

/** The JSON document; its shape is versioned by REPORT_SCHEMA_VERSION. */
export function reportJson(input: ReportInput, o: Omit<ReportOptions, 'format'> = {}) {
  const { spec } = input;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    file: input.file,
    model: spec.name,
    ...(spec.applied.variant ? { variant: spec.applied.variant } : {}),
    input: [spec.input.height, spec.input.width, spec.input.channels],
    ...(spec.classes !== undefined ? { classes: spec.classes } : {}),
    scaling: { phi: spec.applied.phi ?? null, width: spec.applied.width, depth: spec.applied.depth, resolution: spec.applied.resolution },
    conventions,
    totals: costJson(input.report.total),
    stages: stageRows(input).map((s) => ({ name: s.name, operator: s.operator, blocks: s.blocks, outputShape: s.shape, ...costJson(s.cost), ...shareJson(s.cost, input.report.total) })),
    diagnostics: input.diagnostics ?? [],
    ...(o.perBlock ? { blocks: blockRows(input).map((b) => ({ name: b.name, stage: b.stage, layers: b.layers, outputShape: b.shape, ...costJson(b.cost), ...shareJson(b.cost, input.report.total) })) } : {}),
    ...(o.perLayer ? { layers: layerRows(input).map((l) => ({ name: l.name, type: l.type, block: l.block, stage: l.stage, outputShape: l.shape, ...costJson(l.cost), ...shareJson(l.cost, input.report.total) })) } : {}),
  };
}

export function formatReport(input: ReportInput, o: ReportOptions): string {
  switch (o.format) {
    case 'table': return renderTable(input, o);
    case 'markdown': return renderMarkdown(input, o);
    case 'csv': return renderCsv(input, o);
    case 'json': return JSON.stringify(reportJson(input, o), null, 2) + '\n';
  }
}
