/**
 * torchvision's EfficientNet (V1 and V2), MobileNetV3 and MobileNetV2: a `features` Sequential of the stem,
 * the blocks and the last conv, then a `classifier` Sequential.
 *
 *   efficientnet   features.<stage>.<block>.block.<unit>.{0 conv, 1 bn | fc1, fc2}
 *   mobilenet_v3   features.<block, flat>.block.<unit>.{0, 1 | fc1, fc2}; classifier.0, classifier.3
 *   mobilenet_v2   features.<block, flat>.conv.<unit>.{0, 1}, the linear projection as two modules
 *
 * (torchvision/models/{efficientnet,mobilenetv2,mobilenetv3}.py, 0.14.)
 */
import type { Block } from '../../block-units.js';
import { normActUnit, put, type ModulePaths } from './module-paths.js';

/** Stem blocks, then stage blocks (nested per stage, or numbered flat), then head blocks, each a `features.N`. */
export function featuresLayout(blocks: readonly Block[], p: ModulePaths, inner: 'block' | 'conv', nested: boolean): void {
  const stems = blocks.filter((b) => b.section === 'stem').length;
  const stages = Math.max(0, ...blocks.map((b) => b.stage));
  const stageBlocks = blocks.filter((b) => b.section === 'stage').length;
  let head = nested ? stems + stages : stems + stageBlocks;
  let headDense = 0;
  for (const b of blocks) {
    if (b.section === 'stem') {
      normActUnit(p, b.units[0]!, `features.${b.index}`);
    } else if (b.section === 'stage') {
      const base = nested ? `features.${stems + b.stage - 1}.${b.index}.${inner}` : `features.${stems + b.globalIndex}.${inner}`;
      let k = 0;
      for (const u of b.units) {
        // MobileNetV2's linear projection is a bare Conv2d and BatchNorm2d, two modules, not one.
        if (inner === 'conv' && u.kind === 'conv' && !u.activated) {
          put(p, u.node, `${base}.${k++}`);
          put(p, u.bn, `${base}.${k++}`);
        } else normActUnit(p, u, `${base}.${k++}`);
      }
    } else if (b.section === 'head') {
      for (const u of b.units) {
        if (u.kind === 'dense') put(p, u.node, `classifier.${3 * headDense++}`);
        else normActUnit(p, u, `features.${head}`);
      }
      if (b.units.some((u) => u.kind === 'conv')) head++;
    } else {
      // The classifier: Dropout then Linear (classifier.1); after a dense head (MobileNetV3), its last Linear.
      for (const u of b.units) put(p, u.node, headDense ? `classifier.${3 * headDense}` : 'classifier.1');
    }
  }
}
