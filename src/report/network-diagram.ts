/**
 * The network diagram of the HTML report, a pure function of the report: the stages as an SVG strip of boxes,
 * left to right (each with its operator, output shape and share of MACs and params), and the same stages as a
 * tree that opens without scripts (`<details>`): a stage into its blocks, a block into its layers, drawn as a
 * graph. Consecutive blocks with the same layers and shapes collapse into one entry, drawn once.
 *
 * It reads the report's rows (stage operator, layer type, costs) and the graph's generic fields (op.kind,
 * inputs, shape, block, stage), never a list of operators, so user-defined blocks and new primitives draw too.
 */
import type { Cost } from './cost.js';
import { layerType } from './describe.js';
import { reportJson, type ReportInput } from './format-report.js';
import { colours, esc } from './html-page.js';
import { layerGraphSvg, type DrawnLayer } from './layer-graph-svg.js';
import { share, shapeText } from './units.js';

export interface DiagramOptions {
  /** Prefix of the anchors, so that two models on one page (a comparison) keep theirs apart. */
  readonly id?: string;
  /** Width the strip may take, px. */
  readonly width?: number;
}

const MONO = `ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace`;
const CHAR = 6.6;
const GAP = 14;
const MIN_BOX = 88;

/** Words packed into lines of at most `chars` characters, at most `max` lines (the last takes the rest). */
function wrap(s: string, chars: number, max: number): string[] {
  const lines: string[] = [];
  for (const word of s.split(' ')) {
    const last = lines[lines.length - 1];
    if (last !== undefined && (last + ' ' + word).length <= chars) lines[lines.length - 1] = `${last} ${word}`;
    else if (lines.length < max) lines.push(word);
    else lines[lines.length - 1] = `${last} ${word}`;
  }
  return lines;
}

function fitText(x: number, y: number, s: string, room: number, attrs: string): string {
  const fit = s.length * CHAR > room ? ` textLength="${room.toFixed(0)}" lengthAdjust="spacingAndGlyphs"` : '';
  return `<text x="${x.toFixed(1)}" y="${y}"${fit} ${attrs}>${esc(s)}</text>`;
}

type Stage = ReturnType<typeof reportJson>['stages'][number];

/** The stages left to right, wrapping into rows when they do not fit; each box links to its tree entry. */
export function stageStripSvg(input: ReportInput, options: DiagramOptions = {}): string {
  const stages = reportJson(input).stages;
  const blocks = blocksByStage(input);
  const total = options.width ?? 1060;
  const perRow = Math.max(1, Math.min(stages.length, Math.floor((total + GAP) / (MIN_BOX + GAP))));
  const box = (total - (perRow - 1) * GAP) / perRow;
  const rows = Math.ceil(stages.length / perRow);
  const rowGap = 34;
  const inner0 = box - 14;
  const chars0 = Math.max(4, Math.floor(inner0 / CHAR));
  // As many operator lines as the longest needs (2 to 5); every box of the strip has the same height.
  const opLines = Math.max(2, ...stages.map((s) => wrap(s.operator, chars0, 5).length));
  const yCount = 34 + (opLines - 1) * 14 + 18;
  const BOX_H = yCount + 15 + 17 + 19 + 12;
  const height = rows * BOX_H + (rows - 1) * rowGap + 4;
  const maxMacs = Math.max(...stages.map((s) => s.macsShare), 1e-12);
  const maxParams = Math.max(...stages.map((s) => s.paramsShare), 1e-12);
  const inner = inner0;
  const chars = chars0;
  const pos = (i: number) => ({ x: 2 + (i % perRow) * (box + GAP), y: 2 + Math.floor(i / perRow) * (BOX_H + rowGap) });
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${total + 4}" height="${height}" viewBox="0 0 ${total + 4} ${height}" font-family="${MONO}" font-size="11" role="img" aria-label="the network's stages">`,
  ];
  stages.forEach((s: Stage, i) => {
    const { x, y } = pos(i);
    const tx = x + 7;
    const op = wrap(s.operator, chars, opLines);
    // Blocks as the graph has them: a stem of two layers is one group, not two blocks.
    const blockCount = blocks.get(s.name)?.length ?? 0;
    const count = blockCount > 1 ? `${blockCount} blocks` : '';
    out.push(`<a href="#${options.id ?? ''}${esc(s.name)}"><g>`);
    out.push(`<title>${esc(`${s.name}: ${s.operator}, output ${shapeText(s.outputShape)}; ${s.macs.toLocaleString('en-US')} MACs (${share(s.macs, input.report.total.macs) || '0%'}), ${s.params.toLocaleString('en-US')} params (${share(s.params, input.report.total.params) || '0%'})`)}</title>`);
    out.push(`<rect x="${x.toFixed(1)}" y="${y}" width="${box.toFixed(1)}" height="${BOX_H}" rx="6" fill="#fafbfc" stroke="#aab2bf"/>`);
    out.push(fitText(tx, y + 17, s.name, inner, 'font-weight="700" font-size="12" fill="#1d2330"'));
    op.forEach((line, k) => out.push(fitText(tx, y + 34 + k * 14, line, inner, 'fill="#1d2330"')));
    if (count) out.push(fitText(tx, y + yCount, count, inner, 'fill="#7a5b00"'));
    out.push(fitText(tx, y + yCount + 15, shapeText(s.outputShape), inner, 'fill="#5b6475"'));
    const bars: [string, number, number, string][] = [
      ['MACs', s.macsShare, maxMacs, colours.macs],
      ['params', s.paramsShare, maxParams, colours.params],
    ];
    bars.forEach(([label, v, max, colour], k) => {
      const by = y + yCount + 32 + k * 19;
      out.push(fitText(tx, by, `${label} ${share(v, 1) || '0%'}`, inner, 'font-size="10" fill="#5b6475"'));
      out.push(`<rect x="${tx}" y="${by + 3}" width="${inner.toFixed(1)}" height="5" rx="2" fill="#eceff3"/>`);
      if (v > 0) out.push(`<rect x="${tx}" y="${by + 3}" width="${Math.max(1, (inner * v) / max).toFixed(1)}" height="5" rx="2" fill="${colour}"/>`);
    });
    out.push('</g></a>');
    // The arrow to the next stage: across the gap, or down and back to the start of the next row.
    if (i + 1 < stages.length) {
      const n = pos(i + 1);
      if (n.y === y) {
        const ay = y + BOX_H / 2;
        out.push(`<line x1="${(x + box + 2).toFixed(1)}" y1="${ay}" x2="${(n.x - 3).toFixed(1)}" y2="${ay}" stroke="#6b7280" stroke-width="1.5"/>`);
        out.push(`<path d="M${(n.x - 8).toFixed(1)},${ay - 4} L${(n.x - 8).toFixed(1)},${ay + 4} L${(n.x - 1).toFixed(1)},${ay} Z" fill="#6b7280"/>`);
      } else {
        const mx = x + box / 2;
        const my = y + BOX_H + rowGap / 2;
        const nx = n.x + box / 2;
        out.push(`<path d="M${mx.toFixed(1)},${y + BOX_H + 1} V${my} H${nx.toFixed(1)} V${n.y - 7}" fill="none" stroke="#6b7280" stroke-width="1.5"/>`);
        out.push(`<path d="M${(nx - 4).toFixed(1)},${n.y - 8} L${(nx + 4).toFixed(1)},${n.y - 8} L${nx.toFixed(1)},${n.y - 1} Z" fill="#6b7280"/>`);
      }
    }
  });
  out.push('</svg>');
  return out.join('\n');
}

interface Block {
  readonly key: string;
  readonly layers: DrawnLayer[];
  cost: Cost;
}

const addCost = (a: Cost, b: Cost): Cost => ({ params: a.params + b.params, bnStats: a.bnStats + b.bnStats, macs: a.macs + b.macs, otherOps: a.otherOps + b.otherOps, activations: a.activations + b.activations });

/** Blocks of each stage, in graph order, with their layers as the diagram draws them. */
function blocksByStage(input: ReportInput): Map<string, Block[]> {
  const { graph, report } = input;
  const byStage = new Map<string, Block[]>();
  for (const { node, cost } of report.layers) {
    const inShape = node.inputs.length ? graph.nodes[node.inputs[0]!]!.shape : [];
    const drawn: DrawnLayer = { node, cost, type: layerType(node, inShape[inShape.length - 1] ?? 0) };
    const blocks = byStage.get(node.stage) ?? [];
    byStage.set(node.stage, blocks);
    const last = blocks[blocks.length - 1];
    if (last && last.key === node.block) {
      last.layers.push(drawn);
      last.cost = addCost(last.cost, cost);
    } else blocks.push({ key: node.block, layers: [drawn], cost });
  }
  return byStage;
}

/**
 * What makes two blocks the same picture: each layer's type and shape, and where its inputs come from
 * (a layer of the block by position, or the k-th tensor from outside). Names and ids do not count.
 */
function signature(b: Block): string {
  const start = new Map(b.layers.map((l, k) => [l.node.id, k]));
  const outside: number[] = [];
  return b.layers.map((l) => {
    const from = l.node.inputs.map((i) => {
      if (start.has(i)) return String(start.get(i));
      if (!outside.includes(i)) outside.push(i);
      return `x${outside.indexOf(i)}`;
    });
    return `${l.node.op.kind}|${l.type}|${l.node.shape.join('x')}|${from.join(',')}`;
  }).join(';');
}

/** Consecutive blocks with one signature, as runs. */
function runs(blocks: readonly Block[]): Block[][] {
  const out: { sig: string; blocks: Block[] }[] = [];
  for (const b of blocks) {
    const sig = signature(b);
    const last = out[out.length - 1];
    if (last && last.sig === sig) last.blocks.push(b);
    else out.push({ sig, blocks: [b] });
  }
  return out.map((r) => r.blocks);
}

function miniBar(v: number, max: number, colour: string): string {
  return `<span class="minibar" style="width:${Math.max(1, (60 * v) / max).toFixed(0)}px;background:${colour}"></span>`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The stages as a tree of `<details>`: stage → blocks (repeats collapsed) → the layer graph. */
export function networkTree(input: ReportInput, options: DiagramOptions = {}): string {
  const { graph, report } = input;
  const total = report.total;
  const stages = reportJson(input).stages;
  const blocks = blocksByStage(input);
  const maxMacs = Math.max(...stages.map((s) => s.macs), 1);
  const maxParams = Math.max(...stages.map((s) => s.params), 1);
  const shares = (c: Cost, maxM: number, maxP: number) =>
    `<span class="fig share">MACs ${share(c.macs, total.macs) || '0%'}${miniBar(c.macs, maxM, colours.macs)}</span><span class="fig share">params ${share(c.params, total.params) || '0%'}${miniBar(c.params, maxP, colours.params)}</span>`;
  const out: string[] = ['<div class="tree">'];
  for (const s of stages) {
    const own = blocks.get(s.name) ?? [];
    const cost: Cost = { params: s.params, bnStats: s.bnStats, macs: s.macs, otherOps: s.otherOps, activations: s.activations };
    out.push(`<details class="stage" id="${options.id ?? ''}${esc(s.name)}"><summary><span class="name">${esc(s.name)}</span><span class="op">${esc(s.operator)}</span><span class="fig shape">${own.length > 1 ? `${own.length} blocks &middot; ` : ''}${shapeText(s.outputShape)}</span>${shares(cost, maxMacs, maxParams)}</summary>`);
    out.push('<div class="inner">');
    if (own.length === 1) {
      // One block (a stem, a head, a stage of one): its layers at once.
      if (own[0]!.key !== s.name) out.push(`<p class="note">one block, ${esc(own[0]!.key)}: ${plural(own[0]!.layers.length, 'layer')}</p>`);
      out.push(`<div class="diagram">${layerGraphSvg(own[0]!.layers, graph, total)}</div>`);
    } else {
      for (const run of runs(own)) {
        const first = run[0]!;
        const last = run[run.length - 1]!;
        const shape = shapeText(first.layers[first.layers.length - 1]!.node.shape);
        const title = run.length === 1 ? esc(first.key) : `${esc(first.key)} &ndash; ${esc(last.key)}`;
        const repeat = `<span class="repeat">${run.length > 1 ? `&times;${run.length} identical` : ''}</span>`;
        out.push(`<details class="block"><summary><span class="name">${title}</span>${repeat}<span class="fig shape">${run.length > 1 ? 'each: ' : ''}${plural(first.layers.length, 'layer')} &middot; ${shape}</span>${shares(first.cost, maxMacs, maxParams)}</summary>`);
        out.push('<div class="inner">');
        if (run.length > 1) out.push(`<p class="note">${run.map((b) => esc(b.key)).join(', ')}: the same layers and shapes, drawn once.</p>`);
        out.push(`<div class="diagram">${layerGraphSvg(first.layers, graph, total)}</div>`);
        out.push('</div></details>');
      }
    }
    out.push('</div></details>');
  }
  out.push('</div>');
  return out.join('\n');
}

/** The strip, then the tree under it. */
export function networkDiagram(input: ReportInput, options: DiagramOptions = {}): string {
  return [
    `<div class="diagram">${stageStripSvg(input, options)}</div>`,
    '<p class="note">Each box is a stage: its operator, output shape and share of the MACs (red) and parameters (blue). Open a stage below for its blocks, a block for its layers; repeated identical blocks are listed once.</p>',
    networkTree(input, options),
  ].join('\n');
}
