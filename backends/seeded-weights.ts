/**
 * Deterministic weights shared by every backend. Each tensor is drawn from its own PRNG stream, seeded by
 * (seed, layer name, role), so a tensor does not depend on the order layers are visited in, and the ONNX
 * and TF.js backends produce the same network from the same seed (TF.js transposes to its layouts).
 *
 * Canonical layouts (ONNX's): conv kernels [out, in / groups, k, k]; dense kernels [units, inputs].
 * Initialisation as the reference EfficientNet implementations (TF official, Keras):
 *   conv: normal(0, sqrt(2 / fan_out)), fan_out = k * k * out / groups;
 *   dense: uniform(-1/sqrt(units), 1/sqrt(units)); biases 0; BN gamma 1, beta 0, mean 0, variance 1.
 */
import type { GraphNode } from '../src/ir/graph.js';
import type { CommonEmitOptions } from './backend.js';
import type { WeightSource } from './weight-source.js';

/** FNV-1a over the seed and a string: a 32-bit stream key. */
function streamKey(seed: number, name: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  h = Math.imul(h, 0x01000193);
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** sfc32: small, fast, statistically sound 32-bit generator; state seeded from the stream key. */
class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(key: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = key;
    for (let i = 0; i < 12; i++) this.next();
  }

  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }
}

function fillNormal(out: Float32Array, rng: Rng, std: number): void {
  // Box-Muller, two values per pair of uniforms.
  for (let i = 0; i < out.length; i += 2) {
    const u1 = 1 - rng.next();
    const u2 = rng.next();
    const r = Math.sqrt(-2 * Math.log(u1)) * std;
    out[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
}

function fillUniform(out: Float32Array, rng: Rng, limit: number): void {
  for (let i = 0; i < out.length; i++) out[i] = (2 * rng.next() - 1) * limit;
}

type Init = 'random' | 'zeros';

/** Conv kernel, [out, in / groups, k, k]. */
function convKernel(node: GraphNode, inChannels: number, init: Init, seed: number): Float32Array {
  if (node.op.kind !== 'conv') throw new TypeError(`${node.name} is not a conv`);
  const { filters, kernel, groups } = node.op;
  const w = new Float32Array(filters * (inChannels / groups) * kernel * kernel);
  if (init === 'random') fillNormal(w, new Rng(streamKey(seed, `${node.name}/kernel`)), Math.sqrt(2 / ((kernel * kernel * filters) / groups)));
  return w;
}

/** Dense kernel, [units, inputs]. */
function denseKernel(node: GraphNode, inputs: number, init: Init, seed: number): Float32Array {
  if (node.op.kind !== 'dense') throw new TypeError(`${node.name} is not dense`);
  const w = new Float32Array(node.op.units * inputs);
  if (init === 'random') fillUniform(w, new Rng(streamKey(seed, `${node.name}/kernel`)), 1 / Math.sqrt(node.op.units));
  return w;
}

interface BatchNormTensors {
  readonly gamma: Float32Array;
  readonly beta: Float32Array;
  readonly mean: Float32Array;
  readonly variance: Float32Array;
}

/**
 * BN parameters: identity by default; random but well-conditioned when asked (BN-folding tests). Gains stay
 * in [0.5, 1]: with gains up to 1.5 the 57 blocks of EfficientNetV2-M grew logits to 1e8, where float32
 * rounding alone moved them by tens of percent; now they are of order 0.1 to 1.
 */
function batchNormTensors(node: GraphNode, channels: number, init: Init, seed: number, randomBatchNorm: boolean): BatchNormTensors {
  const gamma = new Float32Array(channels).fill(1);
  const beta = new Float32Array(channels);
  const mean = new Float32Array(channels);
  const variance = new Float32Array(channels).fill(1);
  if (randomBatchNorm && init === 'random') {
    const rng = new Rng(streamKey(seed, `${node.name}/bn`));
    for (let i = 0; i < channels; i++) {
      gamma[i] = 0.5 + rng.next() * 0.5;
      beta[i] = rng.next() - 0.5;
      mean[i] = (rng.next() - 0.5) * 0.2;
      variance[i] = 0.5 + rng.next();
    }
  }
  return { gamma, beta, mean, variance };
}

/** The seeded reference initialisers (or zeros) as a WeightSource. Biases start at zero. */
export function seededWeights(init: Init, seed: number, randomBatchNorm = false): WeightSource {
  const kind = init;
  return {
    description: init === 'zeros' ? 'zeros' : `random, seed ${seed}`,
    tensor(node, role, shape) {
      switch (role) {
        case 'kernel':
          // The input width from the canonical shape: [out, in / groups, k, k] or [units, inputs].
          return node.op.kind === 'conv' ? convKernel(node, shape[1]! * node.op.groups, init, seed) : denseKernel(node, shape[1]!, init, seed);
        case 'bias':
          return new Float32Array(shape[0]!);
        case 'scale': {
          // A layer scale starts at its init (1e-6 in ConvNeXt); random non-trivial values when asked.
          const init = node.op.kind === 'scale' ? node.op.init : 1;
          const v = new Float32Array(shape[0]!).fill(init);
          if (randomBatchNorm && kind === 'random') {
            const rng = new Rng(streamKey(seed, `${node.name}/scale`));
            for (let i = 0; i < v.length; i++) v[i] = 0.5 + rng.next();
          }
          return v;
        }
        default:
          // One generation of all four from the node's stream: the same numbers whichever is asked first.
          return batchNormTensors(node, shape[0]!, init, seed, randomBatchNorm)[role];
      }
    },
  };
}

/** The source an emit uses: the one given, or the seeded initialisers the options name. */
export function weightSource(o: CommonEmitOptions): WeightSource {
  return typeof o.weights === 'object' ? o.weights : seededWeights(o.weights, o.seed, o.randomBatchNorm === true);
}
