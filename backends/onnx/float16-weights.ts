/**
 * ONNX weights stored as float16, for a file half the size: each weight initializer is written as float16
 * under `<name>/float16` and a Cast node at the top of the graph turns it into the float32 tensor `<name>`
 * that the rest of the graph reads, unchanged. The model computes in float32 (onnxruntime's CPU provider has
 * no float16 convolutions): the runtime casts once, at session creation, when it folds constants (Cast of an
 * initializer is a constant), so inference runs the float32 graph at float32 speed.
 *
 * Only weights (parameters and BN statistics) are converted; the scalar constants of Clip stay float32.
 */
import type onnxProto from 'onnx-proto';
import type { Initializer } from './initializer.js';
import type { Dim } from './op-to-onnx.js';

type NodeProto = onnxProto.onnx.INodeProto;

/** TensorProto.DataType.FLOAT, Cast's `to`; AttributeProto.INT. */
const FLOAT = 1;
const INT_ATTRIBUTE = 2;

export const FLOAT16_SUFFIX = '/float16';

/** The metadata_props key that records it, and its value. */
export const ONNX_QUANTIZATION_KEY = 'effnet.quantization';
export const ONNX_FLOAT16 = 'float16 (cast to float32 at load)';

export function castFromFloat16(initializers: readonly Initializer[]): { initializers: Initializer[]; casts: NodeProto[]; shapes: [string, readonly Dim[]][] } {
  const out: Initializer[] = [];
  const casts: NodeProto[] = [];
  const shapes: [string, readonly Dim[]][] = [];
  for (const init of initializers) {
    if (init.role === 'constant') {
      out.push(init);
      continue;
    }
    const stored = `${init.name}${FLOAT16_SUFFIX}`;
    out.push({ ...init, name: stored, float16: true, weight: init.name });
    casts.push({ opType: 'Cast', name: `${init.name}/cast`, input: [stored], output: [init.name], attribute: [{ name: 'to', type: INT_ATTRIBUTE, i: FLOAT }] });
    shapes.push([init.name, init.dims]);
  }
  return { initializers: out, casts, shapes };
}
