/**
 * The structure checkpoint conventions are written in terms of: the graph's sections (stem layers, stage
 * blocks, head layers, the classifier), each block's position, and inside a block its units in order. A unit
 * is what a framework makes one module of: a conv with the batch norm after it (and whether an activation
 * follows), a squeeze-excitation pair, a dense layer. Conventions name units by position (torchvision's
 * `features.3.1.block.2`) or by role (timm's `conv_pw`, ResNet's `conv1`), so both are here.
 */
import type { Graph, GraphNode } from '../ir/graph.js';
import { nameInBlock } from './naming/effnet-names.js';

export type UnitKind = 'conv' | 'se' | 'dense';

export interface Unit {
  readonly kind: UnitKind;
  /** The conv or dense node; for 'se', the reduce conv. */
  readonly node: GraphNode;
  /** The batch norm reading the conv, if any. */
  readonly bn?: GraphNode;
  /** For 'se': the expand conv. */
  readonly expand?: GraphNode;
  /** An activation follows (the conv's BN, or the conv itself). */
  readonly activated: boolean;
  /** The conv's name inside its block: expand_conv, dwconv, 1_conv, conv. */
  readonly role: string;
}

export interface Block {
  readonly section: 'stem' | 'stage' | 'head' | 'classifier';
  /** 'stem', 'block2a', 'top2', 'classifier'. */
  readonly name: string;
  /** 1-based stage number for stage blocks (stage2 → 2), else 0. */
  readonly stage: number;
  /** Position in its stage (0 for the first block), or in its section for stem and head layers. */
  readonly index: number;
  /** Position among all stage blocks (0-based), for conventions that number blocks flat. */
  readonly globalIndex: number;
  readonly units: readonly Unit[];
  /** Every node of the block, in graph order (conventions that number every module, MnasNet's, need them). */
  readonly nodes: readonly GraphNode[];
}

const sectionOf = (n: GraphNode): Block['section'] => (n.stage === 'stem' ? 'stem' : n.stage === 'head' ? 'head' : n.stage === 'classifier' ? 'classifier' : 'stage');

export function blocksOf(graph: Graph): Block[] {
  const consumers = new Map<number, GraphNode[]>();
  for (const n of graph.nodes) for (const i of n.inputs) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const next = (n: GraphNode, kind: string) => consumers.get(n.id)?.find((c) => c.op.kind === kind);
  const groups: GraphNode[][] = [];
  for (const n of graph.nodes) {
    if (n.op.kind === 'input') continue;
    const last = groups.at(-1);
    if (last && last[0]!.block === n.block) last.push(n);
    else groups.push([n]);
  }
  const blocks: Block[] = [];
  const perSection = new Map<string, number>();
  let globalIndex = 0;
  for (const nodes of groups) {
    const first = nodes[0]!;
    const section = sectionOf(first);
    const units: Unit[] = [];
    for (const n of nodes) {
      const role = nameInBlock(n);
      if (n.op.kind === 'dense') units.push({ kind: 'dense', node: n, activated: next(n, 'activation') !== undefined, role });
      if (n.op.kind !== 'conv') continue;
      if (role === 'se_expand') continue;
      if (role === 'se_reduce') {
        const expand = nodes.find((m) => nameInBlock(m) === 'se_expand')!;
        units.push({ kind: 'se', node: n, expand, activated: true, role });
        continue;
      }
      const bn = next(n, 'batchnorm');
      units.push({ kind: 'conv', node: n, ...(bn ? { bn } : {}), activated: next(bn ?? n, 'activation') !== undefined, role });
    }
    const stage = section === 'stage' ? Number(first.stage.replace('stage', '')) : 0;
    const key = section === 'stage' ? first.stage : section;
    const index = perSection.get(key) ?? 0;
    perSection.set(key, index + 1);
    blocks.push({ section, name: first.block, stage, index, globalIndex: section === 'stage' ? globalIndex++ : 0, units, nodes });
  }
  return blocks;
}
