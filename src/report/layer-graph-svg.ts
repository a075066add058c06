/**
 * One block's layers as an SVG graph, top to bottom: a box per node (its layer type and output shape), a
 * straight arrow where a node reads the one above it, and an arc on the right for every other edge (a residual
 * add, the squeeze-excitation multiply, a concatenation of earlier tensors, one part of a split). Tensors from
 * outside the block come in as labelled pills at the top.
 *
 * Drawn from the graph's generic fields only (op.kind, inputs, shape, name) and the report's layer types, so
 * an operator or primitive added later draws without a change here: unknown kinds get a neutral colour.
 */
import type { Graph, GraphNode } from '../ir/graph.js';
import type { Cost } from './cost.js';
import { esc } from './html-page.js';
import { share, shapeText, si } from './units.js';

export interface DrawnLayer {
  readonly node: GraphNode;
  /** The report's layer type: "Conv2D 3x3/2", "Activation swish". */
  readonly type: string;
  readonly cost: Cost;
}

/** Fill and stroke by primitive kind; anything not listed is drawn grey. */
const kindColours: Readonly<Record<string, readonly [string, string]>> = {
  conv: ['#e7effa', '#337ab7'],
  dense: ['#e7effa', '#1f4e89'],
  batchnorm: ['#f1ebf8', '#7b5ea7'],
  layernorm: ['#f1ebf8', '#7b5ea7'],
  activation: ['#fdeeee', '#c0504d'],
  pool: ['#eaf6ec', '#3c8d4f'],
  global_pool: ['#eaf6ec', '#3c8d4f'],
  add: ['#fff6df', '#b38600'],
  multiply: ['#fff6df', '#b38600'],
  concat: ['#fff6df', '#b38600'],
  dropout: ['#f5f6f8', '#9aa3b2'],
};
const otherColour = ['#f1f2f4', '#6b7280'] as const;

const MONO = `ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace`;
/** Monospace advance at 11 px (0.6 em in every common monospace face): what sizing the text relies on. */
const CHAR = 6.6;
const ROW = 30;
const BOX_H = 22;
const BOX_W = 290;
const X0 = 8;
const LANE = 9;
const FIGURES_W = 250;

/** Text that never overflows its room: squeezed to `room` px when the estimate says it would not fit. */
function text(x: number, y: number, s: string, room: number, attrs = ''): string {
  const fit = s.length * CHAR > room ? ` textLength="${room.toFixed(0)}" lengthAdjust="spacingAndGlyphs"` : '';
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}"${fit}${attrs ? ` ${attrs}` : ''}>${esc(s)}</text>`;
}

const arrowHead = (x: number, y: number, dir: 'down' | 'left', colour: string) =>
  dir === 'down'
    ? `<path d="M${x - 3.5},${y - 5} L${x + 3.5},${y - 5} L${x},${y} Z" fill="${colour}"/>`
    : `<path d="M${x + 5},${y - 3.5} L${x + 5},${y + 3.5} L${x},${y} Z" fill="${colour}"/>`;

/** `layers` are one block's nodes in graph order; `total` is the model's, for the MACs shares beside them. */
export function layerGraphSvg(layers: readonly DrawnLayer[], graph: Graph, total: Cost): string {
  const inBlock = new Set(layers.map((l) => l.node.id));
  // Tensors read from outside the block, in order of first use: each gets a pill row at the top.
  const external: number[] = [];
  for (const l of layers) for (const i of l.node.inputs) if (!inBlock.has(i) && !external.includes(i)) external.push(i);
  const rowOf = new Map<number, number>();
  external.forEach((id, k) => rowOf.set(id, k));
  layers.forEach((l, k) => rowOf.set(l.node.id, external.length + k));
  const rows = external.length + layers.length;
  const yTop = (row: number) => 6 + row * ROW;
  const yMid = (row: number) => yTop(row) + BOX_H / 2;

  // Every edge that is not "the row just above": an arc in the first lane free over its rows.
  const arcs: { from: number; to: number; lane: number }[] = [];
  const laneEnds: number[] = [];
  for (const l of layers) {
    const to = rowOf.get(l.node.id)!;
    for (const i of l.node.inputs) {
      const from = rowOf.get(i)!;
      if (from === to - 1) continue;
      let lane = laneEnds.findIndex((end) => end <= from);
      if (lane < 0) lane = laneEnds.length;
      laneEnds[lane] = to;
      arcs.push({ from, to, lane });
    }
  }
  const lanes = laneEnds.length;
  const figuresX = X0 + BOX_W + 14 + lanes * LANE;
  const width = figuresX + FIGURES_W;
  const height = yTop(rows) + 2;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${MONO}" font-size="11" role="img">`,
  ];

  external.forEach((id, row) => {
    const n = graph.nodes[id]!;
    const label = n.op.kind === 'input' ? `input ${shapeText(n.shape)}` : `from ${n.block}: ${shapeText(n.shape)}`;
    out.push(`<rect x="${X0}" y="${yTop(row)}" width="${BOX_W}" height="${BOX_H}" rx="11" fill="#ffffff" stroke="#9aa3b2" stroke-dasharray="3 2"/>`);
    out.push(text(X0 + 12, yMid(row) + 4, label, BOX_W - 24, 'fill="#5b6475"'));
  });

  layers.forEach((l, k) => {
    const row = external.length + k;
    const [fill, stroke] = kindColours[l.node.op.kind] ?? otherColour;
    const shape = shapeText(l.node.shape);
    const shapeRoom = shape.length * CHAR;
    out.push(`<g><title>${esc(`${l.node.name}: ${l.type}, output ${shape}${l.cost.params ? `, ${l.cost.params.toLocaleString('en-US')} params` : ''}${l.cost.macs ? `, ${l.cost.macs.toLocaleString('en-US')} MACs` : ''}`)}</title>`);
    out.push(`<rect x="${X0}" y="${yTop(row)}" width="${BOX_W}" height="${BOX_H}" rx="4" fill="${fill}" stroke="${stroke}"/>`);
    out.push(text(X0 + 8, yMid(row) + 4, l.type, BOX_W - 24 - shapeRoom, 'fill="#1d2330"'));
    out.push(`<text x="${X0 + BOX_W - 8}" y="${(yMid(row) + 4).toFixed(1)}" text-anchor="end" fill="#5b6475">${esc(shape)}</text>`);
    out.push('</g>');
    // The figures stand beside the box, outside its group: the group is what the box holds.
    if (l.cost.macs > 0 || l.cost.params > 0) {
      const macs = l.cost.macs ? `${si(l.cost.macs)} MACs (${share(l.cost.macs, total.macs)})` : '';
      const params = l.cost.params ? `${si(l.cost.params)} params` : '';
      out.push(text(figuresX, yMid(row) + 4, [macs, params].filter(Boolean).join(', '), FIGURES_W - 4, 'fill="#5b6475"'));
    }
    // The straight arrow from the row above, when this node reads it.
    const above = row - 1;
    if (above >= 0 && l.node.inputs.some((i) => rowOf.get(i) === above)) {
      const x = X0 + BOX_W / 2;
      out.push(`<line x1="${x}" y1="${yTop(above) + BOX_H}" x2="${x}" y2="${yTop(row) - 1}" stroke="#6b7280"/>`, arrowHead(x, yTop(row), 'down', '#6b7280'));
    }
  });

  for (const a of arcs) {
    const x = X0 + BOX_W + 10 + a.lane * LANE;
    const y1 = yMid(a.from) + 3;
    const y2 = yMid(a.to) - 3;
    out.push(`<path d="M${X0 + BOX_W},${y1} H${x - 3} Q${x},${y1} ${x},${y1 + 3} V${y2 - 3} Q${x},${y2} ${x - 3},${y2} H${X0 + BOX_W + 5}" fill="none" stroke="#b38600" stroke-width="1.3"/>`);
    out.push(arrowHead(X0 + BOX_W, y2, 'left', '#b38600'));
  }
  out.push('</svg>');
  return out.join('\n');
}
