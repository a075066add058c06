/**
 * torchvision's ResNet, and with it ResNeXt and Wide ResNet (the same class, with groups and a wider
 * bottleneck; torchvision/models/resnet.py): conv1, bn1, layer<stage>.<block>.{conv1, bn1, ..., downsample.0,
 * downsample.1}, fc. Both effnet's built-in `basic` and `bottleneck` operators and a user block written as
 * specs/resnext.effnet's (statements `as conv1`, `conv2`, `conv3`, `residual proj on as shortcut`) map.
 */
import type { Block } from '../../block-units.js';
import { byRole, type ModulePaths, type RoleTable } from './module-paths.js';

const stem: RoleTable = { conv: 'conv1', bn: 'bn1' };

const block: RoleTable = {
  // The built-in operators' layers.
  '1_conv': 'conv1',
  '1_bn': 'bn1',
  '2_conv': 'conv2',
  '2_bn': 'bn2',
  '3_conv': 'conv3',
  '3_bn': 'bn3',
  '0_conv': 'downsample.0',
  '0_bn': 'downsample.1',
  // A user block's statements, named as torchvision's modules.
  conv1: 'conv1',
  conv1_bn: 'bn1',
  conv2: 'conv2',
  conv2_bn: 'bn2',
  conv3: 'conv3',
  conv3_bn: 'bn3',
  shortcut_conv: 'downsample.0',
  shortcut_bn: 'downsample.1',
};

export function resnetLayout(blocks: readonly Block[], p: ModulePaths): void {
  for (const b of blocks) {
    if (b.section === 'stem') byRole(p, b, '', stem);
    else if (b.section === 'stage') byRole(p, b, `layer${b.stage}.${b.index}`, block);
    else if (b.section === 'classifier') byRole(p, b, '', { predictions: 'fc' });
  }
}
