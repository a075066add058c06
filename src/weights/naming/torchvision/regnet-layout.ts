/**
 * torchvision's RegNet X and Y (torchvision/models/regnet.py): stem.{0, 1}; every block
 * trunk_output.block<stage>.block<stage>-<block>, its branch `f` (a, b, Y's se, c, each a conv `.0` and its
 * batch norm `.1`) and, where the shape changes, the projection `proj`; fc. The statements are
 * specs/regnet.effnet's (`as a`, `b`, `se`, `c`, `shortcut`).
 */
import type { Block } from '../../block-units.js';
import { byRole, type ModulePaths, type RoleTable } from './module-paths.js';

const block: RoleTable = {
  a: 'f.a.0',
  a_bn: 'f.a.1',
  b: 'f.b.0',
  b_bn: 'f.b.1',
  se_reduce: 'f.se.fc1',
  se_expand: 'f.se.fc2',
  c: 'f.c.0',
  c_bn: 'f.c.1',
  shortcut_conv: 'proj.0',
  shortcut_bn: 'proj.1',
};

export function regnetLayout(blocks: readonly Block[], p: ModulePaths): void {
  for (const b of blocks) {
    if (b.section === 'stem') byRole(p, b, '', { conv: 'stem.0', bn: 'stem.1' });
    else if (b.section === 'stage') byRole(p, b, `trunk_output.block${b.stage}.block${b.stage}-${b.index}`, block);
    else if (b.section === 'classifier') byRole(p, b, '', { predictions: 'fc' });
  }
}
