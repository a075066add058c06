/**
 * effnet's own state_dict names (effnet-names.ts), PyTorch's layout: what `--target pytorch` writes and what a
 * model trained from it saves.
 */
import type { Graph } from '../../ir/graph.js';
import type { Convention, ConventionFamily } from './convention.js';
import { modulePaths, NUM_BATCHES_TRACKED, stateDictKey } from './effnet-names.js';

export const effnetConvention: ConventionFamily = {
  name: 'effnet',
  // effnet's own keys start at the stem or a stage's block: stem.conv.weight, stage2.block2a.expand_conv.weight.
  // A layer's name never starts with a digit, so torchvision's RegNet `stem.0.weight` is not effnet's.
  recognises: (keys) => keys.some((k) => /^stem\.[A-Za-z_]/.test(k) || /^stage\d+\.block\d+[a-z]+\./.test(k)),
  forGraph(graph: Graph): Convention {
    const pathOf = modulePaths(graph);
    return {
      name: 'effnet',
      bind: (t) => ({ key: stateDictKey(pathOf(t.node), t.role), layout: 'canonical' }),
      ignored: (key) => key.endsWith(`.${NUM_BATCHES_TRACKED}`),
    };
  },
};
