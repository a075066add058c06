/**
 * A TF.js LayersModel's weights: effnet's Keras-style names (effnet-names.ts) in TensorFlow's layouts, as the
 * TF.js backend writes them and as `model.save` keeps them after training in TF.js.
 */
import type { Graph } from '../../ir/graph.js';
import type { Convention, ConventionFamily } from './convention.js';
import { isDepthwise, tfjsWeightName } from './effnet-names.js';

export const tfjsConvention: ConventionFamily = {
  name: 'tfjs',
  recognises: (keys) => keys.some((k) => /\/(kernel|depthwise_kernel|gamma|moving_mean)$/.test(k)),
  forGraph(graph: Graph): Convention {
    return {
      name: 'tfjs',
      bind: (t) => {
        const key = tfjsWeightName(t.node, t.role, graph);
        if (t.role !== 'kernel') return { key, layout: 'canonical' };
        if (t.node.op.kind === 'dense') return { key, layout: 'tf-dense' };
        if (isDepthwise(t.node, graph)) return { key, layout: 'tf-depthwise' };
        // A grouped conv is written as a dense Conv2D, zero outside its groups (backends/tfjs/to-wire.ts).
        return { key, layout: t.node.op.kind === 'conv' && t.node.op.groups > 1 ? 'tf-conv-grouped' : 'tf-conv' };
      },
      ignored: () => false,
    };
  },
};
