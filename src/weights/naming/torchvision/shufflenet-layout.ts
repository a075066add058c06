/**
 * torchvision's ShuffleNetV2 (torchvision/models/shufflenetv2.py): conv1.{0, 1}; stage<n>.<block> with
 * branch1 (a stage's first unit only: depthwise conv .0, bn .1, 1x1 conv .2, bn .3) and branch2 (1x1 .0, bn
 * .1, depthwise .3, bn .4, 1x1 .5, bn .6: the ReLUs are numbered too); conv5.{0, 1}; fc. torchvision numbers
 * the stages from 2 (the paper's conv1 and max pool are its stage 1), so effnet's stage1 is stage2. The
 * statements are specs/shufflenet-v2.effnet's.
 */
import type { Block } from '../../block-units.js';
import { byRole, type ModulePaths, type RoleTable } from './module-paths.js';

const unit: RoleTable = {
  branch1_dw: 'branch1.0',
  branch1_dw_bn: 'branch1.1',
  branch1_pw: 'branch1.2',
  branch1_pw_bn: 'branch1.3',
  branch2_pw1: 'branch2.0',
  branch2_pw1_bn: 'branch2.1',
  branch2_dw: 'branch2.3',
  branch2_dw_bn: 'branch2.4',
  branch2_pw2: 'branch2.5',
  branch2_pw2_bn: 'branch2.6',
};

export function shufflenetLayout(blocks: readonly Block[], p: ModulePaths): void {
  for (const b of blocks) {
    if (b.section === 'stem') byRole(p, b, 'conv1', { conv: '0', bn: '1' });
    else if (b.section === 'stage') byRole(p, b, `stage${b.stage + 1}.${b.index}`, unit);
    else if (b.section === 'head') byRole(p, b, 'conv5', { conv: '0', bn: '1' });
    else byRole(p, b, '', { predictions: 'fc' });
  }
}
