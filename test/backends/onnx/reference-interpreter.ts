/**
 * A deliberately naive interpreter of the shaped IR, written from the op definitions in src/ir/graph.ts and
 * the weights in backends/weights.ts, with none of the ONNX backend's code. Tests compare onnxruntime's output
 * with it, so a wrong pads order, HardSigmoid constant or Gemm transpose shows up as a numeric mismatch.
 * Layout: per sample [H, W, C] (the IR's), one sample at a time, float64 accumulation.
 */
import type { CommonEmitOptions } from '../../../backends/backend.js';
import { weightSource } from '../../../backends/seeded-weights.js';
import { batchNormOf } from '../../../backends/weight-source.js';
import type { Graph, GraphNode } from '../../../src/ir/graph.js';

type T = Float64Array;

const act: Record<string, (x: number) => number> = {
  relu: (x) => Math.max(0, x),
  relu6: (x) => Math.min(6, Math.max(0, x)),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  swish: (x) => x / (1 + Math.exp(-x)),
  hard_sigmoid: (x) => Math.min(6, Math.max(0, x + 3)) / 6,
  hard_swish: (x) => (x * Math.min(6, Math.max(0, x + 3))) / 6,
  gelu: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  none: (x) => x,
};

/** erf by its Maclaurin series (|x| < 3) or continued fraction: float64-exact enough for a 1e-4 comparison. */
function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= (-ax * ax) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * ((2 / Math.sqrt(Math.PI)) * sum);
  }
  // erfc(x) = exp(-x^2) / sqrt(pi) * 1 / (x + 1/2 / (x + 1 / (x + 3/2 / (x + ...)))), from the tail inwards.
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (ax + f);
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
  return Math.sign(x) * (1 - erfc);
}

/** Runs one sample x ([H, W, C] flattened) through the graph; returns the output node's values. */
export function interpret(graph: Graph, x: T, o: CommonEmitOptions): T {
  const values: T[] = [];
  const shape = (n: GraphNode) => n.shape;
  for (const node of graph.nodes) {
    const inNode = node.inputs.length ? graph.nodes[node.inputs[0]!]! : undefined;
    const a = inNode ? values[inNode.id]! : x;
    const op = node.op;
    let y: T;
    switch (op.kind) {
      case 'input':
        y = x;
        break;
      case 'conv': {
        const [H, W, C] = shape(inNode!) as [number, number, number];
        const [OH, OW, F] = shape(node) as [number, number, number];
        const k = op.kernel;
        const cpg = C / op.groups;
        const fpg = F / op.groups;
        const w = weightSource(o).tensor(node, 'kernel', [F, C / op.groups, k, k]);
        y = new Float64Array(OH * OW * F);
        for (let oh = 0; oh < OH; oh++)
          for (let ow = 0; ow < OW; ow++)
            for (let f = 0; f < F; f++) {
              const g = Math.floor(f / fpg);
              let s = 0;
              for (let i = 0; i < k; i++) {
                const ih = oh * op.stride - op.pads.top + i;
                if (ih < 0 || ih >= H) continue;
                for (let j = 0; j < k; j++) {
                  const iw = ow * op.stride - op.pads.left + j;
                  if (iw < 0 || iw >= W) continue;
                  for (let c = 0; c < cpg; c++) s += a[(ih * W + iw) * C + g * cpg + c]! * w[((f * cpg + c) * k + i) * k + j]!;
                }
              }
              y[(oh * OW + ow) * F + f] = s; // conv biases are zero-initialised
            }
        break;
      }
      case 'batchnorm': {
        const C = node.shape[node.shape.length - 1]!;
        const bn = batchNormOf(weightSource(o), node, C);
        y = a.map((v, i) => {
          const c = i % C;
          return ((v - bn.mean[c]!) / Math.sqrt(bn.variance[c]! + op.eps)) * bn.gamma[c]! + bn.beta[c]!;
        });
        break;
      }
      case 'activation':
        y = a.map(act[op.fn]!);
        break;
      case 'add': {
        const b = values[node.inputs[1]!]!;
        y = a.map((v, i) => v + b[i]!);
        break;
      }
      case 'multiply': {
        const b = values[node.inputs[1]!]!;
        y = a.map((v, i) => v * b[i % b.length]!); // b is [1, 1, C] or same-shaped
        break;
      }
      case 'global_pool': {
        const [H, W, C] = shape(inNode!) as [number, number, number];
        y = new Float64Array(C);
        for (let p = 0; p < H * W; p++) for (let c = 0; c < C; c++) y[c] += a[p * C + c]! / (H * W);
        break;
      }
      case 'pool': {
        const [H, W, C] = shape(inNode!) as [number, number, number];
        const [OH, OW] = shape(node) as [number, number, number];
        y = new Float64Array(OH * OW * C);
        for (let oh = 0; oh < OH; oh++)
          for (let ow = 0; ow < OW; ow++)
            for (let c = 0; c < C; c++) {
              let m = -Infinity;
              let s = 0;
              let n = 0;
              for (let i = 0; i < op.kernel; i++)
                for (let j = 0; j < op.kernel; j++) {
                  const ih = oh * op.stride - op.pads.top + i;
                  const iw = ow * op.stride - op.pads.left + j;
                  if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue; // padding never counts
                  const v = a[(ih * W + iw) * C + c]!;
                  m = Math.max(m, v);
                  s += v;
                  n++;
                }
              y[(oh * OW + ow) * C + c] = op.mode === 'max' ? m : s / n;
            }
        break;
      }
      case 'dense': {
        const n = inNode!.shape[0]!;
        const w = weightSource(o).tensor(node, 'kernel', [op.units, n]); // [units, inputs]
        y = new Float64Array(op.units);
        for (let u = 0; u < op.units; u++) {
          let s = 0;
          for (let i = 0; i < n; i++) s += w[u * n + i]! * a[i]!;
          y[u] = s;
        }
        break;
      }
      case 'dropout':
        y = a;
        break;
      case 'layernorm': {
        // Over the channels at every position (LayerNorm2d), or over a vector.
        const C = node.shape[node.shape.length - 1]!;
        const gamma = weightSource(o).tensor(node, 'gamma', [C]);
        const beta = weightSource(o).tensor(node, 'beta', [C]);
        y = new Float64Array(a.length);
        for (let p = 0; p < a.length; p += C) {
          let mean = 0;
          for (let c = 0; c < C; c++) mean += a[p + c]! / C;
          let variance = 0;
          for (let c = 0; c < C; c++) variance += (a[p + c]! - mean) ** 2 / C;
          for (let c = 0; c < C; c++) y[p + c] = ((a[p + c]! - mean) / Math.sqrt(variance + op.eps)) * gamma[c]! + beta[c]!;
        }
        break;
      }
      case 'scale': {
        const C = node.shape[node.shape.length - 1]!;
        const scale = weightSource(o).tensor(node, 'scale', [C]);
        y = a.map((v, i) => v * scale[i % C]!);
        break;
      }
      case 'concat': {
        const parts = node.inputs.map((i) => ({ v: values[i]!, c: graph.nodes[i]!.shape.at(-1)! }));
        const C = node.shape.at(-1)!;
        const positions = a.length / parts[0]!.c;
        y = new Float64Array(positions * C);
        for (let p = 0; p < positions; p++) {
          let at = 0;
          for (const { v, c } of parts) {
            for (let k = 0; k < c; k++) y[p * C + at + k] = v[p * c + k]!;
            at += c;
          }
        }
        break;
      }
      case 'slice': {
        const C = inNode!.shape.at(-1)!;
        const positions = a.length / C;
        y = new Float64Array(positions * op.size);
        for (let p = 0; p < positions; p++) for (let k = 0; k < op.size; k++) y[p * op.size + k] = a[p * C + op.start + k]!;
        break;
      }
      case 'shuffle': {
        // Channel c of group g (of `groups`, each C / groups wide) goes to position c * groups + g.
        const C = node.shape.at(-1)!;
        const per = C / op.groups;
        y = new Float64Array(a.length);
        for (let p = 0; p < a.length; p += C) for (let g = 0; g < op.groups; g++) for (let c = 0; c < per; c++) y[p + c * op.groups + g] = a[p + g * per + c]!;
        break;
      }
    }
    values[node.id] = y;
  }
  return values[graph.output]!;
}

/** NCHW batch input → one sample in HWC. */
export function sampleHwc(input: Float32Array, b: number, c: number, h: number, w: number): Float64Array {
  const out = new Float64Array(h * w * c);
  for (let ci = 0; ci < c; ci++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[(y * w + x) * c + ci] = input[((b * c + ci) * h + y) * w + x]!;
  return out;
}
