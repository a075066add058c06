/**
 * torchvision's DenseNet (torchvision/models/densenet.py), every module under `features` and named:
 * conv0, norm0; denseblock<n>.denselayer<m> (norm1, conv1, norm2, conv2: batch norm before each conv, m from
 * 1); transition<n> (norm, conv); norm5; then `classifier`. specs/densenet.effnet's rows alternate dense
 * blocks and transitions, its statements named as torchvision's modules; each kind is numbered on its own.
 */
import type { Block } from '../../block-units.js';
import { nameInBlock } from '../effnet-names.js';
import { byRole, type ModulePaths, type RoleTable } from './module-paths.js';

const denseLayer: RoleTable = { norm1: 'norm1', conv1: 'conv1', norm2: 'norm2', conv2: 'conv2' };
const transition: RoleTable = { norm: 'norm', conv: 'conv' };

export function densenetLayout(blocks: readonly Block[], p: ModulePaths): void {
  let denseBlocks = 0;
  let transitions = 0;
  let stage = 0;
  for (const b of blocks) {
    if (b.section === 'stem') byRole(p, b, 'features', { conv: 'conv0', bn: 'norm0' });
    else if (b.section === 'stage') {
      const dense = b.nodes.some((n) => nameInBlock(n) === 'norm1');
      if (b.stage !== stage) {
        stage = b.stage;
        if (dense) denseBlocks++;
        else transitions++;
      }
      if (dense) byRole(p, b, `features.denseblock${denseBlocks}.denselayer${b.index + 1}`, denseLayer);
      else byRole(p, b, `features.transition${transitions}`, transition);
    } else if (b.section === 'head') byRole(p, b, 'features', { norm5: 'norm5' });
    else byRole(p, b, '', { predictions: 'classifier' });
  }
}
