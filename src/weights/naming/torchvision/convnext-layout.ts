/**
 * torchvision's ConvNeXt (torchvision/models/convnext.py): `features.0` the stem (conv, LayerNorm2d), then
 * `features.<n>` alternately a stage of CNBlocks and a downsampling (LayerNorm2d `.0`, conv `.1`), which
 * specs/convnext.effnet writes as one stage row each, so effnet's stage n is features.n. A CNBlock is
 * `layer_scale` and `block`: the depthwise conv `.0`, the LayerNorm `.2` and the two pointwise layers `.3`
 * and `.5`. Those are nn.Linear applied at every pixel, the same weights as effnet's 1x1 convs stored
 * [out, in]; the layer scale is a bare parameter of shape [C, 1, 1]. After pooling, the classifier is the
 * LayerNorm2d `classifier.0` and the Linear `classifier.2`.
 */
import type { Block } from '../../block-units.js';
import { nameInBlock } from '../effnet-names.js';
import { byRole, type ModulePaths, type RoleTable } from './module-paths.js';

const cnBlock: RoleTable = {
  dwconv: 'block.0',
  norm: 'block.2',
  pwconv1: { module: 'block.3', layout: 'linear-as-conv-1x1' },
  pwconv2: { module: 'block.5', layout: 'linear-as-conv-1x1' },
  layer_scale: { module: '', param: 'layer_scale', layout: 'vector-as-c11' },
};

const downsample: RoleTable = { norm: '0', conv: '1' };

export function convnextLayout(blocks: readonly Block[], p: ModulePaths): void {
  for (const b of blocks) {
    if (b.section === 'stem') byRole(p, b, 'features.0', { conv: '0', norm: '1' });
    else if (b.section === 'stage') {
      // A downsampling is one module per stage; a CNBlock stage numbers its blocks.
      const isCnBlock = b.nodes.some((n) => nameInBlock(n) === 'dwconv');
      byRole(p, b, isCnBlock ? `features.${b.stage}.${b.index}` : `features.${b.stage}`, isCnBlock ? cnBlock : downsample);
    } else if (b.section === 'head') byRole(p, b, '', { norm: 'classifier.0' });
    else byRole(p, b, '', { predictions: 'classifier.2' });
  }
}
