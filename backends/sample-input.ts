/**
 * A deterministic "random" input: uniform in [-1, 1), the same values on every runtime and machine, so that
 * `effnet run`, the cross-runtime tests and the benchmarks can feed ONNX and TF.js the very same sample.
 * xorshift32 is enough here: the values only need to be spread out and reproducible, not statistically fine.
 */
export function sampleInput(n: number, seed = 1): Float32Array {
  const out = new Float32Array(n);
  // Mixing in a constant keeps seed 0 (xorshift's fixed point) usable.
  let s = (seed >>> 0) ^ 0x9e3779b9 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    out[i] = (s / 4294967296) * 2 - 1;
  }
  return out;
}
