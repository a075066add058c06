/** What the README says the language builds, checked on the compiled graph. */
import { describe, expect, it } from 'vitest';
import type { GraphNode } from '../../src/ir/graph.js';
import { compile } from '../../src/pipeline.js';

function graphOf(body: string, settings = ''): readonly GraphNode[] {
  const text = `model claim {\n  input 32x32x3\n  classes 10\n${settings}  stem conv channels 16 kernel 3 stride 2\n  stages {\n${body}\n  }\n  head conv channels 64 kernel 1\n  classifier\n}\n`;
  const c = compile('claim.effnet', text);
  expect(c.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return c.graph!.nodes;
}

const convsOf = (nodes: readonly GraphNode[], block: string) =>
  nodes.filter((n) => n.block === block && n.op.kind === 'conv').map((n) => (n.op.kind === 'conv' ? n.op.kernel : 0));

describe('fused_mbconv', () => {
  it.each([
    ['expand 1: one k x k conv, no 1x1 projection', 'fused_mbconv 1 16 3 1 expand 1', [3]],
    ['expand 4: k x k expansion, then the 1x1 projection', 'fused_mbconv 1 16 3 1 expand 4', [3, 1]],
  ])('%s', (_, row, kernels) => expect(convsOf(graphOf(`    ${row}`), 'block1a')).toEqual(kernels));
});

describe('padding symmetric', () => {
  it('applies to every conv of the model: k//2 on each side, stride 2 included', () => {
    const nodes = graphOf('    mbconv 1 24 3 2 expand 4\n    fused_mbconv 1 24 5 1 expand 2', '  padding symmetric\n');
    const convs = nodes.filter((n) => n.op.kind === 'conv');
    expect(convs.length).toBeGreaterThan(5);
    for (const n of convs) {
      if (n.op.kind !== 'conv') continue;
      const k = Math.floor(n.op.kernel / 2);
      expect({ name: n.name, pads: n.op.pads }).toEqual({ name: n.name, pads: { top: k, left: k, bottom: k, right: k } });
    }
  });

  it('differs from same, which pads stride-2 convs on even sizes asymmetrically', () => {
    const stem = graphOf('    mbconv 1 24 3 1 expand 4').find((n) => n.name === 'stem_conv')!;
    expect(stem.op.kind === 'conv' && stem.op.pads).toEqual({ top: 0, left: 0, bottom: 1, right: 1 });
  });
});
