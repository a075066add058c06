/**
 * Builds the shaped graph node by node: every primitive the operators and user blocks are made of, each with
 * its output shape inferred and checked on the way (a kernel larger than its map, channels that do not divide
 * into groups, a tensor past 2^31 elements). A broken shape throws ShapeError, which inferShapes turns into
 * the diagnostic it carries.
 */
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { Activation } from '../ir/activations.js';
import type { GraphNode, PrimOp, Shape } from '../ir/graph.js';
import type { LayerSpec, ModelSpec } from '../ir/spec.js';
import type { Span } from '../source/span.js';
import { windowAxis, windowPads, type PadMode } from './conv-arithmetic.js';

const MAX_ELEMENTS = 2 ** 31;

/** Thrown inside this module only, to stop the walk once a shape is broken; never escapes. */
export class ShapeError extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
  }
}

export class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  readonly warnings: Diagnostic[] = [];
  private readonly names = new Set<string>();
  block = 'input';
  stage = 'input';
  span: Span;

  constructor(readonly spec: ModelSpec) {
    this.span = spec.span;
  }

  shape(id: number): Shape {
    return this.nodes[id]!.shape;
  }

  private add(name: string, op: PrimOp, inputs: number[], shape: Shape): number {
    let unique = name;
    for (let k = 2; this.names.has(unique); k++) unique = `${name}_${k}`;
    this.names.add(unique);
    const elements = shape.reduce((a, b) => a * b, 1);
    if (elements > MAX_ELEMENTS) {
      throw new ShapeError(diagnostic('E0405', this.span, { elements: elements.toExponential(2), layer: unique }));
    }
    const id = this.nodes.length;
    this.nodes.push({ id, name: unique, op, inputs, shape, block: this.block, stage: this.stage, span: this.span });
    return id;
  }

  input(): number {
    const { height, width, channels } = this.spec.input;
    return this.add('input', { kind: 'input' }, [], [height, width, channels]);
  }

  private spatial(x: number, op: string): readonly [number, number, number] {
    const s = this.shape(x);
    if (s.length !== 3) throw new ShapeError(diagnostic('E0404', this.span, { op }));
    return s as readonly [number, number, number];
  }

  /** Checks the window fits, then returns output size and pads. */
  private window(x: number, kernel: number, stride: number, mode: PadMode, layer: string, kernelSpan: Span | undefined) {
    const [h, w] = this.spatial(x, layer);
    const hAxis = windowAxis(h, kernel, stride, mode);
    const wAxis = windowAxis(w, kernel, stride, mode);
    const size = `${h}x${w}`;
    if (mode === 'valid' && (kernel > h || kernel > w)) {
      throw new ShapeError(diagnostic('E0401', kernelSpan ?? this.span, { kernel, size, layer }, 'kernel'));
    }
    if (hAxis.out < 1 || wAxis.out < 1) {
      throw new ShapeError(diagnostic('E0402', this.span, { layer, size: `${hAxis.out}x${wAxis.out}` }));
    }
    if (kernel > h || kernel > w) {
      // Legal under same/symmetric padding (EfficientNet-B0 at 32x32 does it); worth knowing, not fatal.
      if (!this.warnings.some((d) => d.code === 'W0407' && d.span === (kernelSpan ?? this.span))) {
        this.warnings.push(diagnostic('W0407', kernelSpan ?? this.span, { kernel, size, layer }, 'kernel'));
      }
    }
    return { h: hAxis.out, w: wAxis.out, pads: windowPads(hAxis, wAxis) };
  }

  conv(name: string, x: number, o: { filters: number; kernel: number; stride: number; groups?: number; bias?: boolean; pad?: PadMode }, spanOf?: LayerSpec): number {
    const [, , cin] = this.spatial(x, name);
    const groups = o.groups ?? 1;
    for (const c of [cin, o.filters]) {
      if (c % groups !== 0) throw new ShapeError(diagnostic('E0403', spanOf?.spans.groups ?? this.span, { channels: c, groups, layer: name }, 'groups'));
    }
    const win = this.window(x, o.kernel, o.stride, o.pad ?? this.spec.padding, name, spanOf?.spans.kernel);
    const op: PrimOp = { kind: 'conv', filters: o.filters, kernel: o.kernel, stride: o.stride, groups, bias: o.bias ?? false, pads: win.pads };
    return this.add(name, op, [x], [win.h, win.w, o.filters]);
  }

  bn(name: string, x: number): number {
    const norm = this.spec.norm;
    if (!norm) return x;
    return this.add(name, { kind: 'batchnorm', eps: norm.eps, momentum: norm.momentum }, [x], this.shape(x));
  }

  act(name: string, x: number, fn: Activation): number {
    if (fn === 'none') return x;
    return this.add(name, { kind: 'activation', fn }, [x], this.shape(x));
  }

  /** conv → BN (if the model has norm and the layer wants it) → activation. */
  convBnAct(prefix: string, x: number, o: { filters: number; kernel: number; stride: number; groups?: number; bias?: boolean }, act: Activation, names: [string, string, string], norm = true, spanOf?: LayerSpec): number {
    let y = this.conv(`${prefix}_${names[0]}`, x, o, spanOf);
    if (norm) y = this.bn(`${prefix}_${names[1]}`, y);
    return this.act(`${prefix}_${names[2]}`, y, act);
  }

  addNodes(name: string, a: number, b: number): number {
    return this.add(name, { kind: 'add' }, [a, b], this.shape(a));
  }

  multiply(name: string, x: number, gate: number): number {
    return this.add(name, { kind: 'multiply' }, [x, gate], this.shape(x));
  }

  globalPool(name: string, x: number, keepDims: boolean): number {
    const [, , c] = this.spatial(x, name);
    return this.add(name, { kind: 'global_pool', keepDims }, [x], keepDims ? [1, 1, c] : [c]);
  }

  pool(name: string, x: number, mode: 'max' | 'avg', kernel: number, stride: number, pad: PadMode, spanOf?: LayerSpec): number {
    const [, , c] = this.spatial(x, name);
    const win = this.window(x, kernel, stride, pad, name, spanOf?.spans.kernel);
    return this.add(name, { kind: 'pool', mode, kernel, stride, pads: win.pads }, [x], [win.h, win.w, c]);
  }

  dense(name: string, x: number, units: number, bias: boolean): number {
    if (this.shape(x).length !== 1) throw new ShapeError(diagnostic('E0406', this.span, { op: name }));
    return this.add(name, { kind: 'dense', units, bias }, [x], [units]);
  }

  layernorm(name: string, x: number, eps: number): number {
    return this.add(name, { kind: 'layernorm', eps }, [x], this.shape(x));
  }

  scale(name: string, x: number, init: number): number {
    return this.add(name, { kind: 'scale', init }, [x], this.shape(x));
  }

  /** Concatenation along the channels: every input must have the same spatial size. */
  concat(name: string, xs: readonly number[]): number {
    const shapes = xs.map((x) => this.shape(x));
    const first = shapes[0]!;
    for (const s of shapes.slice(1)) {
      if (s.length !== first.length || s.slice(0, -1).some((d, i) => d !== first[i])) {
        throw new ShapeError(diagnostic('E0407', this.span, { layer: name, shapes: shapes.map((x) => x.join('x')).join(', ') }));
      }
    }
    const channels = shapes.reduce((n, s) => n + s[s.length - 1]!, 0);
    return this.add(name, { kind: 'concat' }, [...xs], [...first.slice(0, -1), channels]);
  }

  slice(name: string, x: number, start: number, size: number): number {
    const s = this.shape(x);
    return this.add(name, { kind: 'slice', start, size }, [x], [...s.slice(0, -1), size]);
  }

  shuffle(name: string, x: number, groups: number): number {
    const [, , c] = this.spatial(x, name);
    if (c % groups !== 0) throw new ShapeError(diagnostic('E0403', this.span, { channels: c, groups, layer: name }, 'groups'));
    return this.add(name, { kind: 'shuffle', groups }, [x], this.shape(x));
  }

  dropout(name: string, x: number, rate: number, perSample: boolean): number {
    if (rate <= 0) return x;
    return this.add(name, { kind: 'dropout', rate, perSample }, [x], this.shape(x));
  }
}

