/** Short human descriptions of layers and stages, for report tables. */
import type { GraphNode } from '../ir/graph.js';
import type { LayerSpec } from '../ir/spec.js';

/** Keras-flavoured layer type: "Conv2D 3x3/2", "DepthwiseConv2D 5x5", "Activation swish". */
export function layerType(node: GraphNode, inChannels: number): string {
  const op = node.op;
  switch (op.kind) {
    case 'input': return 'InputLayer';
    case 'conv': {
      const kind = op.groups === 1 ? 'Conv2D' : op.groups === inChannels && op.groups === op.filters ? 'DepthwiseConv2D' : `Conv2D g${op.groups}`;
      return `${kind} ${op.kernel}x${op.kernel}${op.stride > 1 ? `/${op.stride}` : ''}`;
    }
    case 'batchnorm': return 'BatchNormalization';
    case 'activation': return `Activation ${op.fn}`;
    case 'add': return 'Add';
    case 'multiply': return 'Multiply';
    case 'global_pool': return 'GlobalAveragePooling2D';
    case 'pool': return `${op.mode === 'max' ? 'MaxPooling2D' : 'AveragePooling2D'} ${op.kernel}x${op.kernel}${op.stride > 1 ? `/${op.stride}` : ''}`;
    case 'dense': return 'Dense';
    case 'dropout': return op.perSample ? 'Dropout (drop-connect)' : 'Dropout';
    case 'layernorm': return 'LayerNormalization';
    case 'concat': return 'Concatenate';
    case 'slice': return `Split [${op.start}, ${op.start + op.size})`;
    case 'shuffle': return `ChannelShuffle ${op.groups}`;
    case 'scale': return 'LayerScale';
  }
}

/** "mbconv k3 s2 e6 se0.25", the way a row of the paper's Table 1 reads. */
export function describeLayer(l: LayerSpec): string {
  if (l.block) {
    const args = Object.entries(l.block.args).filter(([k]) => !['channels', 'kernel', 'stride'].includes(k)).map(([k, v]) => `${k} ${v}`);
    return [l.block.name, ...(l.channels !== undefined ? [`c${l.channels}`] : []), ...(l.kernel !== undefined ? [`k${l.kernel}`] : []), ...(l.stride !== 1 ? [`s${l.stride}`] : []), ...args].join(' ');
  }
  const parts: string[] = [l.op];
  if (l.op === 'gap') return 'gap';
  if (l.channels !== undefined && l.op !== 'mbconv' && l.op !== 'fused_mbconv' && l.op !== 'basic' && l.op !== 'bottleneck' && l.op !== 'dwsep') parts.push(`c${l.channels}`);
  if (l.kernel !== undefined && l.op !== 'dense') parts.push(`k${l.kernel}`);
  if (l.stride !== 1) parts.push(`s${l.stride}`);
  if (l.expand !== undefined) parts.push(`e${l.expand}`);
  if (l.mid !== undefined) parts.push(`mid${l.mid}`);
  if (l.se) parts.push(`se${l.se.ratio}`);
  if (l.act) parts.push(l.act);
  return parts.join(' ');
}
