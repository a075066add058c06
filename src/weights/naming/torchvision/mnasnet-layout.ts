/**
 * torchvision's MnasNet: `layers.<module, flat>`, every module numbered (activations too), a stage one
 * Sequential of blocks, each `layers.<module, flat>` again; `classifier.1` (torchvision/models/mnasnet.py).
 */
import type { GraphNode } from '../../../ir/graph.js';
import type { Block } from '../../block-units.js';
import { put, type ModulePaths } from './module-paths.js';

export function mnasnetLayout(blocks: readonly Block[], p: ModulePaths): void {
  let at = 0;
  let stage = 0;
  const numbered = (nodes: readonly GraphNode[], prefix: string, start: number): number => {
    let k = start;
    for (const n of nodes) {
      if (n.op.kind !== 'conv' && n.op.kind !== 'batchnorm' && n.op.kind !== 'activation') continue;
      if (n.op.kind !== 'activation') put(p, n, `${prefix}${k}`);
      k++;
    }
    return k;
  };
  for (const b of blocks) {
    if (b.section === 'stage') {
      if (b.stage !== stage) {
        if (stage !== 0) at++;
        stage = b.stage;
      }
      numbered(b.nodes, `layers.${at}.${b.index}.layers.`, 0);
      continue;
    }
    if (stage !== 0 && b.section !== 'stem') {
      at++;
      stage = 0;
    }
    if (b.section === 'classifier') for (const u of b.units) put(p, u.node, 'classifier.1');
    else at = numbered(b.nodes, 'layers.', at);
  }
}
