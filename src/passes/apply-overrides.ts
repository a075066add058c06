/**
 * Settings the command line may override on any spec: the padding convention, the batch-norm epsilon and the
 * number of classes. They make a shipped spec fit a checkpoint built another way (torchvision's EfficientNet
 * pads symmetrically with eps 1e-5, the spec follows TF's 'same' and 1e-3), or a fine-tuned head.
 */
import { diagnostic, type StageResult } from '../diagnostics/diagnostic.js';
import type { ModelSpec } from '../ir/spec.js';

export interface SpecOverrides {
  readonly padding?: 'same' | 'symmetric';
  readonly bnEps?: number;
  readonly classes?: number;
}

export function applyOverrides(spec: ModelSpec, o: SpecOverrides | undefined): StageResult<ModelSpec> {
  if (!o || Object.keys(o).length === 0) return { value: spec, diagnostics: [] };
  const at = spec.spans.name ?? spec.span;
  if (o.bnEps !== undefined && !spec.norm) return { diagnostics: [diagnostic('E0322', at, { flag: '--bn-eps', needs: 'batch norm (the spec says norm none)' })] };
  if (o.classes !== undefined && !spec.classifier) return { diagnostics: [diagnostic('E0322', at, { flag: '--classes', needs: 'a classifier' })] };
  return {
    value: {
      ...spec,
      ...(o.padding ? { padding: o.padding } : {}),
      ...(o.bnEps !== undefined && spec.norm ? { norm: { ...spec.norm, eps: o.bnEps } } : {}),
      ...(o.classes !== undefined ? { classes: o.classes } : {}),
    },
    diagnostics: [],
  };
}
