/**
 * What every torchvision layout builds: for each graph node that holds tensors, the module it is in the
 * state_dict (`layer2.0.conv1`), and where the module stores a tensor in another shape than effnet's (a Linear
 * for a 1x1 conv) or under its own parameter name (ConvNeXt's `layer_scale`), that too.
 */
import type { GraphNode } from '../../../ir/graph.js';
import type { Block, Unit } from '../../block-units.js';
import type { Layout } from '../../tensor-layouts.js';
import { nameInBlock } from '../effnet-names.js';

export interface ModulePath {
  readonly module: string;
  /** How the module stores the node's weight (a conv's kernel, a scale's vector); its other tensors are canonical. */
  readonly layout?: Layout;
  /** The parameter's own name, when the module is a bare nn.Parameter rather than a layer (`layer_scale`). */
  readonly param?: string;
}

/** Module paths by node id. */
export type ModulePaths = Map<number, ModulePath>;

export const put = (p: ModulePaths, n: GraphNode | undefined, module: string, extra: Omit<ModulePath, 'module'> = {}) => {
  if (n) p.set(n.id, { module, ...extra });
};

/** A module path relative to a block's prefix: a suffix, or a suffix with its layout or parameter name. */
export type RoleEntry = string | ModulePath;

/** A family's table: a node's name inside its block (its `as` name, `conv1_bn`) → its module under the block. */
export type RoleTable = Readonly<Record<string, RoleEntry>>;

/**
 * Every node of the block whose name the table has, placed under `prefix`; a node the table lacks stays
 * unmapped, so the importer reports it at its spec row rather than guessing.
 */
export function byRole(p: ModulePaths, b: Block, prefix: string, table: RoleTable): void {
  for (const n of b.nodes) {
    const entry = table[nameInBlock(n)];
    if (entry === undefined) continue;
    const e = typeof entry === 'string' ? { module: entry } : entry;
    p.set(n.id, { ...e, module: [prefix, e.module].filter((s) => s !== '').join('.') });
  }
}

/** A Conv2dNormActivation (or SE) unit at `at`: conv `.0`, bn `.1`; SE fc1, fc2. */
export function normActUnit(p: ModulePaths, u: Unit, at: string): void {
  if (u.kind === 'se') {
    put(p, u.node, `${at}.fc1`);
    put(p, u.expand, `${at}.fc2`);
  } else if (u.kind === 'dense') put(p, u.node, at);
  else {
    put(p, u.node, `${at}.0`);
    put(p, u.bn, `${at}.1`);
  }
}
