/**
 * The shaped graph as a tree of PyTorch modules, read block by block: model > section (stem, stage1, ...,
 * head, classifier) > block (block2a) > the block's layers. Each block of the spec becomes one constructor
 * call of a class in python-library.ts, with its arguments read off the block's graph nodes (channels,
 * stride, pads, activations, whether there is a shortcut), so the module computes what the graph computes.
 *
 * Two checks make that hold by construction rather than by hope: every graph node must be claimed by exactly
 * one block, and every node with tensors must sit at the module path effnet's naming contract gives it
 * (src/weights/naming/effnet-names.ts), which is where the class registers it. A mismatch is a bug in this
 * backend, reported as such, never a file with silently different names.
 */
import type { Activation } from '../../src/ir/activations.js';
import type { Graph, GraphNode, Pads, PrimOp } from '../../src/ir/graph.js';
import { layerLine, stageRowCells } from '../../src/ir/print-spec.js';
import { expandRepeats, type BlockInstance } from '../../src/passes/expand-repeats.js';
import { modulePaths, nameInBlock } from '../../src/weights/naming/effnet-names.js';
import { BackendError } from '../backend.js';
import type { LayerClass } from './python-library.js';
import { pyCall, pyString, raw, type PyValue } from './python-literals.js';

/** A block's module: `MBConv(16, 24, mid=96, kernel=3, ...)`. */
export interface PyLayer {
  readonly pyClass: LayerClass;
  readonly args: readonly PyValue[];
  /** Keyword arguments in order; undefined ones are the class's default and left out. */
  readonly kwargs: readonly (readonly [string, PyValue | undefined])[];
  /** Library definitions the call uses besides its class (a user block's layers). */
  readonly needs?: readonly string[];
}

export interface TreeBlock {
  /** The block's name in its section: 'block2a', 'stem2', 'top'. */
  readonly name: string;
  readonly layer: PyLayer;
  /** The graph nodes the block's module computes, in graph order. */
  readonly nodes: readonly GraphNode[];
}

export interface TreeSection {
  /** The model's attribute: 'stem', 'stage1', ..., 'head', 'classifier'. */
  readonly name: string;
  /** The spec lines the section comes from, for a comment above it. */
  readonly describe: readonly string[];
  readonly blocks: readonly TreeBlock[];
  /** A stem, head or classifier of one block is that block's module (stem.conv); otherwise a sequence of blocks. */
  readonly flat: boolean;
}

export interface ModuleTree {
  readonly sections: readonly TreeSection[];
  /** The model's batch norm settings (every BN node has them), or none. */
  readonly norm?: { readonly eps: number; readonly momentum: number };
  /** TF "same" padding somewhere: the pads were worked out for the spec's input size and hold for no other. */
  readonly fixedSize: boolean;
}

/** The graph and this backend's classes disagree: a bug here, not in the spec. */
export class PytorchExportError extends BackendError {
  override readonly name = 'PytorchExportError';
  constructor(why: string, node?: GraphNode) {
    super(`PyTorch backend: internal: ${node ? `${node.name}: ` : ''}${why}`, node, why);
  }
}

type ConvNode = GraphNode & { readonly op: Extract<PrimOp, { kind: 'conv' }> };

/** Finds a block's nodes by their name in the block and remembers which were used. */
class BlockReader {
  private readonly byName = new Map<string, GraphNode>();
  readonly claimed = new Set<GraphNode>();

  constructor(readonly graph: Graph, readonly block: string, readonly nodes: readonly GraphNode[]) {
    for (const n of nodes) this.byName.set(nameInBlock(n), n);
  }

  find(name: string): GraphNode | undefined {
    const n = this.byName.get(name);
    if (n) this.claimed.add(n);
    return n;
  }

  get(name: string): GraphNode {
    const n = this.find(name);
    if (!n) throw new PytorchExportError(`block ${this.block} has no ${name} node`);
    return n;
  }

  conv(name: string): ConvNode {
    const n = this.get(name);
    if (n.op.kind !== 'conv') throw new PytorchExportError(`expected a conv, found ${n.op.kind}`, n);
    return n as ConvNode;
  }

  findConv(name: string): ConvNode | undefined {
    return this.byName.has(name) ? this.conv(name) : undefined;
  }

  /** The activation a node applies; no node is 'none' (the graph leaves identity activations out). */
  act(name: string): Activation {
    const n = this.find(name);
    if (!n) return 'none';
    if (n.op.kind !== 'activation') throw new PytorchExportError(`expected an activation, found ${n.op.kind}`, n);
    return n.op.fn;
  }

  /** Channels of a node's (first) input. */
  inChannels(n: GraphNode): number {
    const s = this.graph.nodes[n.inputs[0]!]!.shape;
    return s[s.length - 1]!;
  }

  /** A batch norm the class always builds: the graph has it exactly when the model has norm. */
  bn(name: string): void {
    const n = this.find(name);
    if (!n !== !this.graph.spec.norm) throw new PytorchExportError(`${name} is ${n ? 'present' : 'absent'} but the model has ${this.graph.spec.norm ? '' : 'no '}batch norm`, n);
    if (n && n.op.kind !== 'batchnorm') throw new PytorchExportError(`expected a batch norm, found ${n.op.kind}`, n);
  }

  same<T>(what: string, a: T, b: T): T {
    if (a !== b) throw new PytorchExportError(`block ${this.block}: ${what} differ (${String(a)} and ${String(b)})`);
    return a;
  }
}

const padsTuple = (p: Pads): number[] => [p.top, p.left, p.bottom, p.right];
const isDefaultPads = (p: Pads, kernel: number): boolean => [p.top, p.left, p.bottom, p.right].every((v) => v === Math.floor(kernel / 2));

/** The `pads=` argument of a conv the class builds with the block's pads: left out when kernel // 2 all round. */
function padsArg(c: ConvNode): number[] | undefined {
  return isDefaultPads(c.op.pads, c.op.kernel) ? undefined : padsTuple(c.op.pads);
}

/** A conv the class always builds with kernel // 2 padding (1x1 convs: none). */
function defaultPads(c: ConvNode): void {
  if (!isDefaultPads(c.op.pads, c.op.kernel)) throw new PytorchExportError(`pads [${padsTuple(c.op.pads).join(', ')}] where the module pads ${Math.floor(c.op.kernel / 2)}`, c);
}

/** Squeeze-excitation: `se` is the squeezed width; se_act and se_gate only when not the defaults. */
function squeezeExcite(r: BlockReader, blockAct: Activation): [string, PyValue | undefined][] {
  const reduce = r.findConv('se_reduce');
  if (!reduce) return [];
  r.get('se_squeeze');
  const expand = r.conv('se_expand');
  for (const c of [reduce, expand]) {
    if (c.op.kernel !== 1 || !c.op.bias || c.op.groups !== 1) throw new PytorchExportError('squeeze-excitation convs are 1x1 with a bias', c);
    defaultPads(c);
  }
  const act = r.act('se_reduce_activation');
  const gate = r.act('se_expand_activation');
  r.get('se_excite');
  return [
    ['se', reduce.op.filters],
    ['se_act', act !== blockAct ? act : undefined],
    ['se_gate', gate !== 'sigmoid' ? gate : undefined],
  ];
}

/** The identity shortcut and the drop-connect rate on its branch. */
function shortcut(r: BlockReader): [string, PyValue | undefined][] {
  const add = r.find('add');
  const drop = r.find('drop');
  if (drop && !add) throw new PytorchExportError('drop-connect without a shortcut', drop);
  return [
    ['skip', add ? true : undefined],
    ['drop', drop && drop.op.kind === 'dropout' ? readableRate(drop.op.rate) : undefined],
  ];
}

/**
 * A dropout probability to 12 significant digits: drop-connect rates are rate * i / N, and 0.075 reads better
 * than 0.07500000000000001 for a probability that differs by 1e-17.
 */
const readableRate = (rate: number) => Number(rate.toPrecision(12));

function layer(pyClass: LayerClass, args: PyValue[], kwargs: [string, PyValue | undefined][]): PyLayer {
  return { pyClass, args, kwargs };
}

/** One decoder per operator: the block's nodes → the constructor call that rebuilds them. */
function decodeBlock(b: BlockInstance, r: BlockReader): PyLayer {
  const hasNorm = r.graph.spec.norm !== undefined;
  switch (b.layer.op) {
    case 'block':
      return decodeUserBlock(b, r);
    case 'conv':
    case 'dwconv': {
      const depthwise = b.layer.op === 'dwconv';
      const c = r.conv(depthwise ? 'dwconv' : 'conv');
      const cin = r.inChannels(c);
      const bn = r.find('bn');
      const act = r.act('activation');
      const common: [string, PyValue | undefined][] = [
        ['kernel', c.op.kernel],
        ['stride', c.op.stride],
        ['act', act],
      ];
      const tail: [string, PyValue | undefined][] = [
        ['bias', c.op.bias ? true : undefined],
        ['norm', !bn && hasNorm ? false : undefined],
        ['pads', padsArg(c)],
      ];
      if (depthwise) {
        if (c.op.groups !== cin || c.op.filters !== cin) throw new PytorchExportError('a dwconv has one filter per channel', c);
        return layer('DWConvBnAct', [cin], [...common, ...tail]);
      }
      return layer('ConvBnAct', [cin, c.op.filters], [...common, ['groups', c.op.groups !== 1 ? c.op.groups : undefined], ...tail]);
    }
    case 'dwsep': {
      const dw = r.conv('dwconv');
      r.bn('dw_bn');
      const pw = r.conv('pwconv');
      defaultPads(pw);
      r.bn('pw_bn');
      const act = r.same('activations', r.act('dw_activation'), r.act('pw_activation'));
      return layer('DWSep', [r.inChannels(dw), pw.op.filters], [['kernel', dw.op.kernel], ['stride', dw.op.stride], ['act', act], ['pads', padsArg(dw)]]);
    }
    case 'mbconv': {
      const expand = r.findConv('expand_conv');
      const dw = r.conv('dwconv');
      const cin = r.inChannels(expand ?? dw);
      const mid = dw.op.filters;
      if (!expand !== (mid === cin)) throw new PytorchExportError(`block ${b.prefix}: an expand conv ${expand ? 'to the input width' : 'missing'}`);
      const act = r.act('activation');
      if (expand) {
        defaultPads(expand);
        r.bn('expand_bn');
        r.same('activations', r.act('expand_activation'), act);
      }
      r.bn('bn');
      const se = squeezeExcite(r, act);
      const project = r.conv('project_conv');
      defaultPads(project);
      r.bn('project_bn');
      return layer('MBConv', [cin, project.op.filters], [['mid', mid], ['kernel', dw.op.kernel], ['stride', dw.op.stride], ['act', act], ...se, ...shortcut(r), ['pads', padsArg(dw)]]);
    }
    case 'fused_mbconv': {
      const expand = r.findConv('expand_conv');
      const project = r.conv('project_conv');
      const spatial = expand ?? project;
      const cin = r.inChannels(spatial);
      let act: Activation;
      if (expand) {
        if (expand.op.filters === cin) throw new PytorchExportError(`block ${b.prefix}: an expand conv to the input width`, expand);
        r.bn('expand_bn');
        act = r.act('expand_activation');
        defaultPads(project);
        if (r.find('project_activation')) throw new PytorchExportError('the projection after an expand conv is linear', project);
      } else {
        act = r.act('project_activation');
      }
      const se = squeezeExcite(r, act);
      r.bn('project_bn');
      return layer('FusedMBConv', [cin, project.op.filters], [['mid', expand ? expand.op.filters : cin], ['kernel', spatial.op.kernel], ['stride', spatial.op.stride], ['act', act], ...se, ...shortcut(r), ['pads', padsArg(spatial)]]);
    }
    case 'basic':
    case 'bottleneck': {
      const basic = b.layer.op === 'basic';
      const c1 = r.conv('1_conv');
      const c2 = r.conv('2_conv');
      const last = basic ? c2 : r.conv('3_conv');
      const cin = r.inChannels(c1);
      const cout = last.op.filters;
      const spatial = basic ? c1 : c2;
      const stride = spatial.op.stride;
      const act = r.act('1_activation');
      r.bn('1_bn');
      r.bn('2_bn');
      if (!basic) {
        defaultPads(c1);
        defaultPads(last);
        r.bn('3_bn');
        r.same('activations', r.act('2_activation'), act);
      }
      const projection = r.findConv('0_conv');
      if (!projection !== (stride === 1 && cin === cout)) throw new PytorchExportError(`block ${b.prefix}: the shortcut ${projection ? 'is projected where the shape holds' : 'is not projected where the shape changes'}`);
      if (projection) {
        defaultPads(projection);
        r.bn('0_bn');
      }
      r.get('add');
      r.same('activations', r.act('out'), act);
      const drop = r.find('drop');
      const dropRate = drop && drop.op.kind === 'dropout' ? readableRate(drop.op.rate) : undefined;
      if (basic) {
        return layer('Basic', [cin, cout], [['kernel', c1.op.kernel], ['stride', stride], ['act', act], ['drop', dropRate], ['pads', padsArg(c1)], ['pads2', padsArg(c2)]]);
      }
      return layer('Bottleneck', [cin, cout], [['planes', c1.op.filters], ['kernel', c2.op.kernel], ['stride', stride], ['act', act], ['drop', dropRate], ['pads', padsArg(c2)]]);
    }
    case 'maxpool':
    case 'avgpool': {
      const p = r.get('pool');
      if (p.op.kind !== 'pool' || p.op.mode !== (b.layer.op === 'maxpool' ? 'max' : 'avg')) throw new PytorchExportError(`expected a ${b.layer.op}`, p);
      return layer(p.op.mode === 'max' ? 'MaxPool' : 'AvgPool', [], [['kernel', p.op.kernel], ['stride', p.op.stride], ['pads', padsTuple(p.op.pads)]]);
    }
    case 'gap':
      r.get('gap');
      return layer('GlobalAvgPool', [], []);
    case 'dense': {
      const d = r.get('dense');
      if (d.op.kind !== 'dense') throw new PytorchExportError(`expected a dense layer, found ${d.op.kind}`, d);
      const act = r.act('dense_activation');
      return layer('Dense', [r.inChannels(d), d.op.units], [['bias', d.op.bias ? undefined : false], ['act', act !== 'none' ? act : undefined]]);
    }
  }
}

/**
 * A user-defined block: one `Block` step per graph node, in graph order, each naming the tensors it reads (its
 * producers' names in the block, 'in' for the block's input) and the module that computes it. Any wiring the
 * language can write is a list of such steps, so the block needs no class of its own.
 */
function decodeUserBlock(b: BlockInstance, r: BlockReader): PyLayer {
  const inBlock = new Set(r.nodes.map((n) => n.id));
  const external = new Set(r.nodes.flatMap((n) => n.inputs.filter((i) => !inBlock.has(i))));
  if (external.size !== 1) throw new PytorchExportError(`block ${b.prefix} reads ${external.size} tensors from outside it`);
  const needs = new Set<string>(['Block']);
  const steps = r.nodes.map((n) => {
    r.claimed.add(n);
    const reads = n.inputs.map((i) => (inBlock.has(i) ? nameInBlock(r.graph.nodes[i]!) : 'in'));
    const [module, uses] = stepModule(n, r);
    uses.forEach((u) => needs.add(u));
    const readsText = reads.length === 1 ? pyString(reads[0]!) : `(${reads.map(pyString).join(', ')})`;
    return `(${pyString(nameInBlock(n))}, ${readsText}, ${module}),`;
  });
  return { pyClass: 'Block', args: [raw(`\n    ${steps.join('\n    ')}\n`)], kwargs: [], needs: [...needs] };
}

/** The module that computes one node of a user block, and the library definitions it needs. */
function stepModule(n: GraphNode, r: BlockReader): [string, string[]] {
  const op = n.op;
  const cin = n.inputs.length ? r.inChannels(n) : 0;
  switch (op.kind) {
    case 'conv':
      return [pyCall('conv2d', [cin, op.filters, op.kernel], [['stride', op.stride !== 1 ? op.stride : undefined], ['groups', op.groups !== 1 ? op.groups : undefined], ['bias', op.bias ? true : undefined], ['pads', padsArg(n as ConvNode)]]), ['conv2d']];
    case 'batchnorm':
      return [pyCall('batch_norm', [channelsOf(n)]), ['batch_norm']];
    case 'activation':
      return [pyCall('activation', [op.fn]), ['activation']];
    case 'add':
      return ['Add()', ['Add']];
    case 'multiply':
      return ['Multiply()', ['Add']];
    case 'concat':
      return ['Concat()', ['Add']];
    case 'global_pool':
      return op.keepDims ? ['SpatialMean()', ['ChannelSlice']] : ['GlobalAvgPool()', ['GlobalAvgPool']];
    case 'pool':
      return [pyCall(op.mode === 'max' ? 'MaxPool' : 'AvgPool', [], [['kernel', op.kernel], ['stride', op.stride], ['pads', padsTuple(op.pads)]]), [op.mode === 'max' ? 'MaxPool' : 'AvgPool']];
    case 'dense':
      return [pyCall('nn.Linear', [cin, op.units], [['bias', op.bias ? undefined : false]]), []];
    case 'dropout':
      return op.perSample ? [pyCall('DropPath', [readableRate(op.rate)]), ['DropPath']] : [pyCall('nn.Dropout', [readableRate(op.rate)]), []];
    case 'layernorm':
      return [pyCall('LayerNorm', [channelsOf(n)], [['eps', op.eps]]), ['LayerNorm']];
    case 'scale':
      return [pyCall('LayerScale', [channelsOf(n), op.init]), ['LayerNorm']];
    case 'slice':
      return [pyCall('ChannelSlice', [op.start, op.size]), ['ChannelSlice']];
    case 'shuffle':
      return [pyCall('ChannelShuffle', [op.groups]), ['ChannelSlice']];
    case 'input':
      throw new PytorchExportError('the input inside a block', n);
  }
}

const channelsOf = (n: GraphNode) => n.shape[n.shape.length - 1]!;

/** The classifier's nodes: an optional global pool and dropout, then the dense layer to the classes. */
function decodeClassifier(r: BlockReader): PyLayer {
  const pool = r.find('avg_pool');
  const dropout = r.find('top_dropout');
  const dense = r.get('predictions');
  if (dense.op.kind !== 'dense' || !dense.op.bias) throw new PytorchExportError('the classifier ends in a dense layer with a bias', dense);
  const rate = dropout && dropout.op.kind === 'dropout' ? readableRate(dropout.op.rate) : 0;
  return layer('Classifier', [r.inChannels(dense), dense.op.units], [['dropout', rate], ['pool', pool ? undefined : false]]);
}

const hasTensors = (n: GraphNode) => ['conv', 'dense', 'batchnorm', 'layernorm', 'scale'].includes(n.op.kind);

export function moduleTree(graph: Graph): ModuleTree {
  const spec = graph.spec;
  const nodesOf = new Map<string, GraphNode[]>();
  for (const n of graph.nodes) if (n.op.kind !== 'input') nodesOf.set(n.block, [...(nodesOf.get(n.block) ?? []), n]);
  if (nodesOf.size === 0) throw new BackendError('PyTorch backend: the model computes nothing: its output is its input');

  const sections: { name: string; describe: string[]; blocks: TreeBlock[] }[] = [];
  const claimed = new Set<GraphNode>();
  const read = (block: string, decode: (r: BlockReader) => PyLayer): TreeBlock => {
    const nodes = nodesOf.get(block);
    if (!nodes) throw new PytorchExportError(`block ${block} has no nodes`);
    const r = new BlockReader(graph, block, nodes);
    const pyLayer = decode(r);
    const left = nodes.filter((n) => !r.claimed.has(n));
    if (left.length) throw new PytorchExportError(`block ${block}: no module computes ${left.map((n) => n.name).join(', ')}`);
    for (const n of nodes) claimed.add(n);
    return { name: block, layer: pyLayer, nodes };
  };

  const instances = expandRepeats(spec);
  for (const b of instances) {
    let section = sections.at(-1);
    if (!section || section.name !== b.stage) {
      section = { name: b.stage, describe: [], blocks: [] };
      sections.push(section);
    }
    // A stage row once, as the table writes it; stem and head layers each.
    if (b.section === 'stages') {
      if (b.repeatIndex === 0) section.describe.push(stageRowCells(b.layer).join(' '));
    } else {
      section.describe.push(layerLine(b.layer));
    }
    section.blocks.push(read(b.prefix, (r) => decodeBlock(b, r)));
  }
  if (nodesOf.has('classifier')) {
    sections.push({ name: 'classifier', describe: [`dropout ${spec.classifier?.dropout ?? 0}, dense ${spec.classes}`], blocks: [read('classifier', decodeClassifier)] });
  }

  const unclaimed = graph.nodes.filter((n) => n.op.kind !== 'input' && !claimed.has(n));
  if (unclaimed.length) throw new PytorchExportError(`no block computes ${unclaimed.map((n) => n.name).join(', ')}`);
  // forward() returns what the last block returns.
  if (sections.at(-1)!.blocks.at(-1)!.nodes.at(-1)!.id !== graph.output) throw new PytorchExportError('the last block does not compute the output');

  // Where each tensor lands in the module tree must be where effnet's naming contract says it is.
  const pathOf = modulePaths(graph);
  const tree: TreeSection[] = sections.map((s) => ({ ...s, flat: (s.name === 'stem' || s.name === 'head' || s.name === 'classifier') && s.blocks.length === 1 }));
  for (const s of tree) {
    for (const b of s.blocks) {
      for (const n of b.nodes) {
        if (!hasTensors(n)) continue;
        const here = s.flat ? `${s.name}.${nameInBlock(n)}` : `${s.name}.${b.name}.${nameInBlock(n)}`;
        if (here !== pathOf(n)) throw new PytorchExportError(`the module tree puts it at ${here}, the naming contract at ${pathOf(n)}`, n);
      }
    }
  }

  let norm: ModuleTree['norm'];
  for (const n of graph.nodes) {
    if (n.op.kind !== 'batchnorm') continue;
    norm ??= { eps: n.op.eps, momentum: n.op.momentum };
    if (n.op.eps !== norm.eps || n.op.momentum !== norm.momentum) throw new PytorchExportError('batch norms with different settings', n);
  }
  const samePools = [...spec.stem, ...spec.stages, ...spec.head].some((l) => (l.op === 'maxpool' || l.op === 'avgpool') && (l.pad ?? spec.padding) === 'same');
  // A block statement's `pad same` is worked out for the compiled size too.
  const sameInBlocks = Object.values(spec.blocks).some((d) => d.body.some((st) => st.kind === 'op' && st.options.pad?.text === 'same'));
  return { sections: tree, ...(norm ? { norm } : {}), fixedSize: spec.padding === 'same' || samePools || sameInBlocks };
}
