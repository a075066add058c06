/**
 * How much memory running a model once takes, estimated from the shaped graph before anything is loaded, so
 * that `compile --verify` can refuse a run that cannot fit instead of exhausting the machine (or the wasm
 * heap) halfway. Runtimes free a tensor once its last reader has run, so the activation peak is the largest
 * sum of tensors alive at one step of the topological order; convolutions with a k x k window also need an
 * im2col workspace of k*k*(C/groups) x H_out*W_out values; the weights are there throughout.
 */
import type { Graph } from '../ir/graph.js';
import { costReport } from './cost.js';

export interface MemoryEstimate {
  /** The largest sum of live activation bytes (float32, batch 1). */
  readonly activationBytes: number;
  /** The largest single convolution workspace (im2col), bytes. */
  readonly workspaceBytes: number;
  /** Parameters and BN statistics, float32. */
  readonly weightBytes: number;
  readonly totalBytes: number;
}

const elements = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export function estimateRunMemory(graph: Graph): MemoryEstimate {
  const lastUse = new Map<number, number>();
  for (const n of graph.nodes) for (const i of n.inputs) lastUse.set(i, n.id);
  lastUse.set(graph.output, graph.nodes.length);
  let live = 0;
  let peak = 0;
  let workspace = 0;
  const freedAt = new Map<number, number[]>();
  for (const [id, last] of lastUse) freedAt.set(last, [...(freedAt.get(last) ?? []), id]);
  for (const n of graph.nodes) {
    live += 4 * elements(n.shape);
    peak = Math.max(peak, live);
    if (n.op.kind === 'conv' && n.op.kernel > 1 && n.op.groups === 1) {
      const cin = graph.nodes[n.inputs[0]!]!.shape[2]!;
      workspace = Math.max(workspace, 4 * n.op.kernel * n.op.kernel * cin * n.shape[0]! * n.shape[1]!);
    }
    for (const id of freedAt.get(n.id) ?? []) live -= 4 * elements(graph.nodes[id]!.shape);
    // A node nobody reads (dropped by no one) is freed at once.
    if (!lastUse.has(n.id)) live -= 4 * elements(n.shape);
  }
  const total = costReport(graph).total;
  const weightBytes = 4 * (total.params + total.bnStats);
  return { activationBytes: peak, workspaceBytes: workspace, weightBytes, totalBytes: peak + workspace + weightBytes };
}
