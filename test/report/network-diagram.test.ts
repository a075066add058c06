/**
 * The network diagram: the stage strip (one box per stage, in order, with its figures), the tree that opens
 * into blocks and layers, repeated blocks collapsed, and the layer graph's edges, for the shipped specs and
 * for a hand-built graph of primitives the built-in operators never make (a DenseNet-style concatenation).
 */
import { describe, expect, it } from 'vitest';
import type { Graph, GraphNode, PrimOp } from '../../src/ir/graph.js';
import { zeroCost } from '../../src/report/cost.js';
import type { ReportInput } from '../../src/report/format-report.js';
import { layerGraphSvg } from '../../src/report/layer-graph-svg.js';
import { networkDiagram, networkTree, stageStripSvg } from '../../src/report/network-diagram.js';
import { compileSpec } from '../helpers.js';

const input = (spec: string, options = {}): ReportInput => {
  const c = compileSpec(spec, options);
  return { file: `specs/${spec}`, spec: c.scaled, graph: c.graph, report: c.report };
};
const b0 = input('efficientnet-b0.effnet');
const resnet = input('resnet.effnet');

/** The layer graph drawn for a block: the SVG after its summary. */
function blockSvg(tree: string, title: string): string {
  const at = tree.indexOf(`<summary><span class="name">${title}</span>`);
  expect(at, title).toBeGreaterThan(0);
  return tree.slice(at, tree.indexOf('</svg>', at));
}
const arcs = (svg: string) => (svg.match(/<path d="M[\d.]+,[\d.]+ H[\d.]+ Q/g) ?? []).length;
const boxes = (svg: string) => (svg.match(/<rect [^>]*rx="4"/g) ?? []).length;

describe('the stage strip', () => {
  const strip = stageStripSvg(b0);

  it('has one box per stage, in network order, each linking to its entry in the tree', () => {
    expect([...strip.matchAll(/<a href="#([\w-]+)">/g)].map((m) => m[1])).toEqual(['stem', 'stage1', 'stage2', 'stage3', 'stage4', 'stage5', 'stage6', 'stage7', 'head', 'classifier']);
    expect(strip.match(/<line [^>]*stroke-width="1.5"\/>/g)).toHaveLength(9);
  });

  it("shows each stage's operator, blocks, output shape and shares", () => {
    const stage6 = strip.slice(strip.indexOf('<a href="#stage6">'), strip.indexOf('</a>', strip.indexOf('<a href="#stage6">')));
    const texts = [...stage6.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(texts).toEqual(['stage6', 'mbconv k5 s2', 'e6 se0.25', '4 blocks', '7x7x192', 'MACs 23.7%', 'params 38.3%']);
  });

  it('wraps into rows when the stages do not fit', () => {
    const v3 = stageStripSvg(input('mobilenet-v3-large.effnet'));
    expect(v3.match(/<a href=/g)).toHaveLength(18);
    // One arrow goes down to the next row.
    expect(v3.match(/<path d="M[\d.]+,[\d.]+ V[\d.]+ H[\d.]+ V[\d.]+"/g)).toHaveLength(1);
  });
});

describe('the tree', () => {
  const tree = networkTree(b0);

  it('opens each stage into its blocks, repeated identical blocks listed once', () => {
    expect(tree.match(/<details class="stage"/g)).toHaveLength(10);
    const blocks = [...tree.matchAll(/<details class="block"><summary><span class="name">([^<]+)<\/span><span class="repeat">([^<]*)<\/span>/g)].map((m) => `${m[1]} ${m[2]}`.trim());
    expect(blocks).toEqual([
      'block2a', 'block2b', 'block3a', 'block3b', 'block4a', 'block4b &ndash; block4c &times;2 identical',
      'block5a', 'block5b &ndash; block5c &times;2 identical', 'block6a', 'block6b &ndash; block6d &times;3 identical',
    ]);
    // A stage of one block opens straight into its layers.
    expect(tree).toContain('<p class="note">one block, block7a: 14 layers</p>');
    expect(tree).toContain('block6b, block6c, block6d: the same layers and shapes, drawn once.');
  });

  it('a deep stage stays one entry: B0 at depth 10 has 40 blocks in stage6, drawn as two', () => {
    const deep = networkTree(input('efficientnet-b0.effnet', { scaling: { depth: 10 } }));
    expect(deep).toContain('block6b &ndash; block6an</span><span class="repeat">&times;39 identical');
  });

  it('draws each layer, with an arc for every edge that skips a row: SE, residual, projection shortcut', () => {
    expect(boxes(blockSvg(tree, 'block2a'))).toBe(14);
    expect(arcs(blockSvg(tree, 'block2a'))).toBe(1); // the SE multiply; stride 2, no residual
    expect(arcs(blockSvg(tree, 'block2b'))).toBe(2); // the SE multiply and the residual add
    expect(blockSvg(tree, 'block2b')).toContain('from block2a: 56x56x24');
    const r = networkTree(resnet);
    expect(arcs(blockSvg(r, 'block1a'))).toBe(2); // the projection shortcut reads the block input; the add reads the main branch
    expect(blockSvg(r, 'stem')).toContain('input 224x224x3');
  });

  it('gives two models on one page their own anchors', () => {
    expect(networkTree(b0, { id: 'b-' })).toContain('<details class="stage" id="b-stage3">');
    expect(stageStripSvg(b0, { id: 'b-' })).toContain('<a href="#b-stage3">');
  });

  it('loads nothing and runs nothing', () => {
    const html = networkDiagram(b0);
    expect(html).not.toMatch(/<script|<link|src=|url\(|on\w+=/);
    expect([...new Set(html.match(/https?:\/\/[^"]*/g))]).toEqual(['http://www.w3.org/2000/svg']);
  });
});

describe('a layer graph of primitives no built-in operator makes', () => {
  // A DenseNet-style block: each conv's output is concatenated with everything before it, and a channel
  // shuffle closes it. The kinds are not in the built-in list: they must draw from their generic fields.
  const span = { file: 'dense.effnet', start: 0, end: 0 };
  const node = (id: number, name: string, kind: string, inputs: number[], shape: number[], block = 'dense1'): GraphNode =>
    ({ id, name, op: { kind } as unknown as PrimOp, inputs, shape, block, stage: 'stage1', span });
  const nodes = [
    node(0, 'input', 'input', [], [8, 8, 16], 'stem'),
    node(1, 'dense1_conv1', 'conv', [0], [8, 8, 8]),
    node(2, 'dense1_concat1', 'concat', [0, 1], [8, 8, 24]),
    node(3, 'dense1_conv2', 'conv', [2], [8, 8, 8]),
    node(4, 'dense1_concat2', 'concat', [0, 1, 3], [8, 8, 32]),
    node(5, 'dense1_shuffle', 'shuffle', [4], [8, 8, 32]),
  ];
  const graph = { nodes, output: 5 } as unknown as Graph;
  const types: Record<string, string> = { conv: 'Conv2D 3x3', concat: 'Concatenate', shuffle: 'ChannelShuffle 4' };
  const layers = nodes.slice(1).map((n) => ({ node: n, type: types[n.op.kind as string]!, cost: zeroCost }));
  const svg = layerGraphSvg(layers, graph, zeroCost);

  it('draws a box per node and an arc per input that is not the row above', () => {
    expect(boxes(svg)).toBe(5);
    // concat1 reads the input (pill) besides conv1; concat2 reads the input and conv1 besides conv2.
    expect(arcs(svg)).toBe(3);
    expect(svg).toContain('input 8x8x16');
  });

  it('colours an unknown kind neutrally, and still labels it with the report\'s type', () => {
    expect(svg).toMatch(/<rect [^>]*fill="#f1f2f4" stroke="#6b7280"\/>\n<text [^>]*>ChannelShuffle 4<\/text>/);
    expect(svg).toContain('>8x8x32</text>');
  });
});
