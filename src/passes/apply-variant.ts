/**
 * Picks one member of a spec's family: applies a variant's structural overrides (operator, repeats, classes,
 * dropout) and returns the scaling it asks for, which compound-scale applies next.
 */
import { diagnostic, type Diagnostic, type StageResult } from '../diagnostics/diagnostic.js';
import { nearestName } from '../diagnostics/nearest-name.js';
import { lower } from '../ir/lower.js';
import { operators, type OpName } from '../ir/ops.js';
import type { LayerSpec, ModelSpec, VariantSpec } from '../ir/spec.js';
import type { ScalingRequest } from './compound-scale.js';

export interface Variant {
  readonly spec: ModelSpec;
  readonly scaling?: ScalingRequest;
}

/** The scaling a variant sets, if any (width, depth, resolution or phi). */
export function variantScaling(v: VariantSpec): ScalingRequest | undefined {
  if (v.phi !== undefined) return { phi: v.phi };
  if (v.width === undefined && v.depth === undefined && v.resolution === undefined) return undefined;
  return {
    ...(v.width !== undefined ? { width: v.width } : {}),
    ...(v.depth !== undefined ? { depth: v.depth } : {}),
    ...(v.resolution !== undefined ? { inputSize: v.resolution } : {}),
  };
}

const fieldNames = ['repeats', 'channels', 'kernel', 'stride'] as const;

/**
 * A stage row under another operator, checked as if it had been written with it: every option the row gives
 * must be one the new operator takes, its fields must be the ones the new operator uses, and a kernel the row
 * leaves out takes the new operator's default (a dense row turned into basic gets 3, not 1). Problems point at
 * the variant's `operator`, naming the stage.
 */
function changeOperator(row: LayerSpec, op: OpName, stage: number, v: VariantSpec, out: Diagnostic[]): LayerSpec {
  if (row.op === 'block') {
    out.push(diagnostic('E0321', v.spans.operator ?? v.span, { variant: v.name, stage, op, problem: `but the row is the block '${row.block!.name}', whose parameters ${op} does not take` }, 'operator'));
    return row;
  }
  const def = operators[op] as (typeof operators)[OpName] & { defaultKernel?: number };
  const at = v.spans.operator ?? v.span;
  const report = (problem: string) => out.push(diagnostic('E0321', at, { variant: v.name, stage, op, problem }, 'operator'));
  for (const name of Object.keys(row.spans)) {
    if (name === 'op' || (fieldNames as readonly string[]).includes(name)) continue;
    if (!(def.options as readonly string[]).includes(name)) report(`which takes no option '${name}'`);
  }
  for (const f of ['channels', 'kernel', 'stride'] as const) {
    const written = row.spans[f] !== undefined;
    const use = def.fields[f];
    if (use === 'unused' && written) report(`which takes no ${f}, and the row gives one`);
    if (use === 'required' && !written && !(f === 'kernel' && def.defaultKernel !== undefined)) report(`which needs a ${f}, and the row gives none`);
  }
  const kernel = row.spans.kernel !== undefined ? row.kernel : def.defaultKernel;
  const { kernel: _old, ...rest } = row;
  return { ...rest, op, ...(kernel !== undefined && def.fields.kernel !== 'unused' ? { kernel } : {}) };
}

export function applyVariant(spec: ModelSpec, name: string | undefined): StageResult<Variant> {
  if (name === undefined) return { value: { spec }, diagnostics: [] };
  const v = spec.variants.find((x) => x.name === name);
  if (!v) {
    const valid = spec.variants.map((x) => x.name);
    const span = spec.spans.name ?? spec.span;
    return { diagnostics: [diagnostic('E0309', span, { name, suggestion: nearestName(name, valid), valid: valid.length ? valid : ['(this spec defines no variants)'] }, 'variant')] };
  }
  // A member that sets params, or swaps the rows' operator for a user block, is the spec lowered again with
  // them: its rows' values and its blocks' parameters are worked out anew.
  const userOperator = v.operator !== undefined && spec.blocks[v.operator] ? v.operator : undefined;
  let base = spec;
  if (v.params || userOperator) {
    if (!spec.ast) throw new Error('internal: a spec with params or blocks keeps its syntax tree');
    const relowered = lower(spec.ast, { params: { ...spec.params, ...v.params }, ...(userOperator ? { operator: userOperator } : {}) });
    if (!relowered.value) return { diagnostics: relowered.diagnostics };
    base = { ...relowered.value, variants: spec.variants };
  }
  const diagnostics: Diagnostic[] = [];
  const stages = base.stages.flatMap((s, i) => {
    const builtIn = v.operator !== undefined && !userOperator && v.operator !== s.op;
    let row = builtIn ? changeOperator(s, v.operator as OpName, i + 1, v, diagnostics) : s;
    if (v.channels !== undefined) row = { ...row, channels: v.channels[i]!, ...(row.block ? { block: { ...row.block, args: { ...row.block.args, channels: v.channels[i]! } } } : {}) };
    if (v.repeats !== undefined) row = { ...row, repeats: v.repeats[i]! };
    // Repeats 0: this member has no such stage.
    return row.repeats === 0 ? [] : [row];
  });
  if (diagnostics.length) return { diagnostics };
  const classifier = base.classifier && v.dropout !== undefined ? { ...base.classifier, dropout: v.dropout } : base.classifier;
  const scaling = variantScaling(v);
  return {
    value: {
      spec: {
        ...base,
        stages,
        ...(classifier ? { classifier } : {}),
        ...(v.classes !== undefined ? { classes: v.classes } : {}),
        applied: { ...spec.applied, variant: name },
      },
      ...(scaling ? { scaling } : {}),
    },
    diagnostics: [],
  };
}
