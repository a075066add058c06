/**
 * How a checkpoint stores a tensor relative to effnet's canonical layout (PyTorch's and ONNX's): as is, in
 * TensorFlow's layouts (TF.js), a dense layer kept as a 1x1 convolution (timm's MobileNetV3 conv_head), a 1x1
 * convolution kept as a dense layer applied at every pixel (torchvision's ConvNeXt pointwise layers) or a
 * per-channel vector kept as [C, 1, 1] to broadcast over NCHW (ConvNeXt's layer scale).
 * Each transform names the stored shape for a canonical one and converts the values; all in one place so the
 * importer and the TF.js backend (which writes the same layouts) cannot disagree.
 */

export type Layout = 'canonical' | 'tf-conv' | 'tf-conv-grouped' | 'tf-depthwise' | 'tf-dense' | 'conv-1x1-as-dense' | 'linear-as-conv-1x1' | 'vector-as-c11';

/** The shape a checkpoint in `layout` stores for a tensor of canonical `shape`. */
export function storedShape(layout: Layout, shape: readonly number[], groups = 1): readonly number[] {
  switch (layout) {
    case 'canonical':
      return shape;
    case 'tf-conv': {
      const [out, inG, k, k2] = shape as [number, number, number, number];
      return [k, k2, inG, out];
    }
    case 'tf-conv-grouped': {
      // The TF.js backend's dense Conv2D for a grouped conv: [k, k, in, out], zero outside the groups.
      const [out, inG, k, k2] = shape as [number, number, number, number];
      return [k, k2, inG * groups, out];
    }
    case 'tf-depthwise': {
      // [C * m, 1, k, k] with groups = C: DepthwiseConv2D's [k, k, C, m].
      const [out, , k, k2] = shape as [number, number, number, number];
      return [k, k2, groups, out / groups];
    }
    case 'tf-dense':
      return [shape[1]!, shape[0]!];
    case 'conv-1x1-as-dense':
      return [shape[0]!, shape[1]!, 1, 1];
    case 'linear-as-conv-1x1':
      // A Linear's [out, in] is a 1x1 kernel's [out, in, 1, 1] with the unit axes left out.
      return [shape[0]!, shape[1]!];
    case 'vector-as-c11':
      return [shape[0]!, 1, 1];
  }
}

/** Stored values to canonical ones (a new array when the order changes). */
export function toCanonical(layout: Layout, stored: Float32Array, shape: readonly number[], groups = 1): Float32Array {
  switch (layout) {
    case 'canonical':
    case 'conv-1x1-as-dense':
    case 'linear-as-conv-1x1':
    case 'vector-as-c11':
      // Only unit axes differ: the values are in the same order.
      return stored;
    case 'tf-conv': {
      const [out, inC, k] = shape as [number, number, number, number];
      const t = new Float32Array(stored.length);
      for (let o = 0; o < out; o++)
        for (let i = 0; i < inC; i++)
          for (let y = 0; y < k; y++)
            for (let x = 0; x < k; x++) t[((o * inC + i) * k + y) * k + x] = stored[((y * k + x) * inC + i) * out + o]!;
      return t;
    }
    case 'tf-conv-grouped': {
      const [out, inG, k] = shape as [number, number, number, number];
      const inC = inG * groups;
      const perGroupOut = out / groups;
      const t = new Float32Array(out * inG * k * k);
      for (let o = 0; o < out; o++) {
        const first = Math.floor(o / perGroupOut) * inG;
        for (let i = 0; i < inG; i++)
          for (let y = 0; y < k; y++)
            for (let x = 0; x < k; x++) t[((o * inG + i) * k + y) * k + x] = stored[((y * k + x) * inC + first + i) * out + o]!;
      }
      return t;
    }
    case 'tf-depthwise': {
      const [out, , k] = shape as [number, number, number, number];
      const c = groups;
      const m = out / c;
      const t = new Float32Array(stored.length);
      for (let ch = 0; ch < c; ch++)
        for (let j = 0; j < m; j++)
          for (let y = 0; y < k; y++)
            for (let x = 0; x < k; x++) t[((ch * m + j) * k + y) * k + x] = stored[((y * k + x) * c + ch) * m + j]!;
      return t;
    }
    case 'tf-dense': {
      const [units, inputs] = shape as [number, number];
      const t = new Float32Array(stored.length);
      for (let u = 0; u < units; u++) for (let i = 0; i < inputs; i++) t[u * inputs + i] = stored[i * units + u]!;
      return t;
    }
  }
}

/**
 * For 'tf-conv-grouped': the index of the first stored weight outside its output channel's group that is not
 * zero (a model trained in TF.js, where nothing keeps those zeros), or -1. Such a kernel is no longer grouped,
 * and dropping those weights would change what the network computes.
 */
export function outsideGroups(stored: Float32Array, shape: readonly number[], groups: number): number {
  const [out, inG, k] = shape as [number, number, number, number];
  const inC = inG * groups;
  const perGroupOut = out / groups;
  for (let p = 0; p < k * k; p++)
    for (let i = 0; i < inC; i++)
      for (let o = 0; o < out; o++) {
        const index = (p * inC + i) * out + o;
        if (Math.floor(i / inG) !== Math.floor(o / perGroupOut) && stored[index] !== 0) return index;
      }
  return -1;
}
