/**
 * Checkpoint → graph: every tensor the compiled network holds is found in the checkpoint under the key its
 * naming convention gives it, in the layout that convention stores, with the shape it must have. Nothing is
 * guessed from order. Every problem is a diagnostic at the spec row it concerns: a missing tensor, a shape
 * that does not fit, a classifier of another size, a tensor that is not floating point, tensors the spec has no
 * place for, and numerics the convention implies but the spec does not have. A pure function of the graph and
 * the checkpoint's index: no tensor data is read here.
 */
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { Graph } from '../ir/graph.js';
import type { Checkpoint, CheckpointTensor } from '../checkpoint/checkpoint.js';
import { floatDTypes } from '../checkpoint/checkpoint.js';
import { graphTensors, type GraphTensor } from './graph-tensors.js';
import type { Convention, ConventionFamily } from './naming/convention.js';
import { conventionNamed, conventionNames, detectConvention } from './naming/conventions.js';
import { storedShape, type Layout } from './tensor-layouts.js';

export interface TensorBinding {
  readonly tensor: GraphTensor;
  /** The key as the checkpoint stores it (wrapper prefixes such as `module.` included). */
  readonly key: string;
  readonly layout: Layout;
  readonly source: CheckpointTensor;
}

export interface WeightsMapping {
  readonly convention?: Convention;
  /** The graph tensors found with the right shape, in graph order (all of them when there is no error). */
  readonly bindings: readonly TensorBinding[];
  /** Checkpoint keys no graph tensor maps to (ignored ones not included). */
  readonly unused: readonly string[];
  /** Keys the convention carries that effnet does not need (num_batches_tracked). */
  readonly ignored: readonly string[];
  /** The prefix stripped from every key (DataParallel's `module.`), if any. */
  readonly prefix: string;
  readonly diagnostics: readonly Diagnostic[];
}

/** Wrapper prefixes that every key of a checkpoint may carry: DataParallel/DDP, torch.compile. */
const WRAPPER_PREFIXES = ['module.', '_orig_mod.'];

function strippedKeys(keys: readonly string[]): { prefix: string; keys: Map<string, string> } {
  let prefix = '';
  for (let changed = true; changed; ) {
    changed = false;
    for (const p of WRAPPER_PREFIXES) {
      if (keys.length > 0 && keys.every((k) => k.startsWith(prefix + p))) {
        prefix += p;
        changed = true;
      }
    }
  }
  return { prefix, keys: new Map(keys.map((k) => [k.slice(prefix.length), k])) };
}

const dims = (s: readonly number[]) => `[${s.join(', ')}]`;
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

export interface MapOptions {
  /** Force a convention by name instead of detecting it from the keys. */
  readonly convention?: string;
}

export function mapCheckpoint(graph: Graph, checkpoint: Checkpoint, options: MapOptions = {}): WeightsMapping {
  const spec = graph.spec;
  const at = spec.spans.name ?? spec.span;
  const { prefix, keys } = strippedKeys([...checkpoint.tensors.keys()]);
  const names = [...keys.keys()];
  const fail = (d: Diagnostic): WeightsMapping => ({ bindings: [], unused: [], ignored: [], prefix, diagnostics: [d] });

  let family: ConventionFamily | undefined;
  if (options.convention !== undefined) {
    family = conventionNamed(options.convention);
    if (!family) return fail(diagnostic('E0708', at, { first: options.convention, valid: conventionNames.join(', ') }));
  } else {
    family = detectConvention(names);
    if (!family) return fail(diagnostic('E0708', at, { first: names.slice(0, 3).join(', ') || '(no tensors)', valid: conventionNames.join(', ') }));
  }
  const convention = family.forGraph(graph, names);

  const diagnostics: Diagnostic[] = [];
  const bindings: TensorBinding[] = [];
  const used = new Set<string>();
  const classifier = graph.nodes[graph.output]?.op.kind === 'dense' ? graph.nodes[graph.output]! : undefined;
  for (const t of graphTensors(graph)) {
    const b = convention.bind(t);
    const groups = t.node.op.kind === 'conv' ? t.node.op.groups : 1;
    const want = b ? storedShape(b.layout, t.shape, groups) : t.shape;
    const source = b && keys.has(b.key) ? checkpoint.tensors.get(keys.get(b.key)!)! : undefined;
    // One problem per layer: a batch norm's four tensors fail together.
    const reported = () => diagnostics.some((d) => d.span === t.node.span && d.message.startsWith(`${t.node.name} `));
    if (!b || !source) {
      const where = convention.name + (convention.layout ? ` (${convention.layout})` : '');
      if (!reported()) diagnostics.push(diagnostic('E0701', t.node.span, { layer: t.node.name, role: t.role, shape: dims(want), ...(b ? { key: b.key } : {}), convention: where }));
      continue;
    }
    used.add(b.key);
    if (!floatDTypes.has(source.dtype)) {
      diagnostics.push(diagnostic('E0705', t.node.span, { key: source.name, dtype: source.dtype }));
      continue;
    }
    if (!sameShape(source.shape, want)) {
      // A fine-tuned head of another size (the inputs fit, the classes do not): said once, in terms of classes.
      const tf = b.layout === 'tf-dense';
      const classes = tf ? source.shape[1] : source.shape[0];
      const inputsFit = source.shape.length === 2 && (tf ? source.shape[0] === want[0] : source.shape[1] === want[1]);
      if (t.node === classifier && inputsFit) {
        if (t.role === 'kernel') diagnostics.push(diagnostic('E0703', spec.classifier?.span ?? t.node.span, { theirs: classes!, ours: spec.classes ?? 0 }));
      } else if (!(t.node === classifier && t.role === 'bias') && !reported()) {
        diagnostics.push(diagnostic('E0702', t.node.span, { layer: t.node.name, role: t.role, want: dims(want), key: source.name, got: dims(source.shape) }));
      }
      continue;
    }
    bindings.push({ tensor: t, key: source.name, layout: b.layout, source });
  }
  const ignored: string[] = [];
  const unused: string[] = [];
  for (const [k, original] of keys) {
    if (used.has(k)) continue;
    if (convention.ignored(k)) ignored.push(original);
    else unused.push(original);
  }
  if (unused.length) {
    const shown = unused.slice(0, 5).join(', ') + (unused.length > 5 ? `, and ${unused.length - 5} more` : '');
    diagnostics.push(diagnostic('E0704', at, { count: unused.length, keys: shown, convention: convention.name + (convention.layout ? ` (${convention.layout})` : '') }));
  }
  const n = convention.numerics;
  if (n && (spec.padding !== n.padding || (spec.norm && Math.abs(spec.norm.eps - n.bnEps) > 1e-12))) {
    diagnostics.push(diagnostic('E0707', spec.spans.padding ?? spec.spans.norm ?? at, { who: n.who, padding: n.padding, eps: n.bnEps, specPadding: spec.padding, specEps: spec.norm?.eps ?? 0 }));
  }
  return { convention, bindings, unused, ignored, prefix, diagnostics };
}
